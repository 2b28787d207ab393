//! A real OpenSSH server on the loopback for the tests that log in over SSH or copy
//! files to an SSH account.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on the loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An OpenSSH server on 127.0.0.1, killed when dropped: with a socket, its logins land
/// in caredesk (ForceCommand), as docs/deployment.md sets it up; without one, a
/// plain account to copy files to (an off-site backup target).
pub struct Sshd {
    child: Child,
    pub port: u16,
    pub client_key: PathBuf,
}

impl Sshd {
    pub fn start(dir: &Path, socket: Option<&Path>) -> Sshd {
        let key = |name: &str| {
            let path = dir.join(name);
            let made = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(&path)
                .status()
                .unwrap();
            assert!(made.success());
            path
        };
        let host_key = key("host_key");
        let client_key = key("client_key");
        std::fs::copy(
            client_key.with_extension("pub"),
            dir.join("authorized_keys"),
        )
        .unwrap();
        // sshd's privilege-separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = free_port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\n\
                 AuthorizedKeysFile {}\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nUsePAM no\n\
                 PermitRootLogin prohibit-password\nStrictModes no\n{}",
                host_key.display(),
                dir.join("sshd.pid").display(),
                dir.join("authorized_keys").display(),
                socket.map_or(String::new(), |socket| format!(
                    "ForceCommand {} --connect {}\n",
                    env!("CARGO_BIN_EXE_caredesk"),
                    socket.display()
                )),
            ),
        )
        .unwrap();
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "sshd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Sshd {
            child,
            port,
            client_key,
        }
    }

    pub fn login_command(&self) -> String {
        format!(
            "ssh -t -i {} -p {} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR {}@127.0.0.1",
            self.client_key.display(),
            self.port,
            caredesk::audit::context::process_actor().os_user,
        )
    }
}

impl Sshd {
    /// `ssh` options that reach this server with its key, asking nothing.
    pub fn options(&self) -> Vec<String> {
        [
            "-p",
            &self.port.to_string(),
            "-i",
            &self.client_key.display().to_string(),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// The OS user the test runs as: the account to log in to.
    pub fn user() -> String {
        caredesk::audit::context::process_actor().os_user
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tmux and OpenSSH are installed (under CI=true their absence fails the test).
pub fn ssh_ready() -> bool {
    crate::common::tmux::available()
        && ["sshd", "ssh", "ssh-keygen"]
            .iter()
            .all(|p| crate::common::require(p))
}
