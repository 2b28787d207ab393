//! The data key held through a PKCS#11 token (a SoftHSM token here, as an HSM or a
//! 密码机 would be): the security administrator adds a token slot, the token makes its
//! own AES key (never extractable) and encrypts the slot's key with it; the server then
//! opens the store at start with the token's PIN alone. A wrong PIN, a missing token or
//! a module nobody configured opens nothing, and says why.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::daemon::credentials;
use crate::common::text;

const SECURITY: (&str, &str) = ("zhao.an", "demo security harbour lantern");
const PIN: &str = "271828";

/// SoftHSM's PKCS#11 library, where Debian puts it; missing fails loudly under CI.
fn softhsm() -> Option<PathBuf> {
    let found = [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.exists());
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("SoftHSM is not installed: .ci/run must install it (apt-get install softhsm2)");
        }
        eprintln!("SKIPPED: SoftHSM is not installed on this machine");
    }
    found
}

/// A token store of its own for this test: SoftHSM reads its configuration from the
/// file SOFTHSM2_CONF names, given to each child process (never this one's environment).
struct Token {
    conf: PathBuf,
}

impl Token {
    fn new(dir: &Path, label: &str) -> Token {
        let tokens = dir.join("tokens");
        std::fs::create_dir_all(&tokens).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let made = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", &conf)
            .args(["--init-token", "--free", "--label", label])
            .args(["--pin", PIN, "--so-pin", "314159"])
            .output()
            .unwrap();
        assert!(made.status.success(), "{}", text(&made.stderr));
        Token { conf }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_caredesk"));
        command.env("SOFTHSM2_CONF", &self.conf);
        command
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    }
}

fn pin_file(dir: &Path, name: &str, pin: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{pin}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// Starts `caredesk serve --token-pin-file` and waits for its first line: the
/// listening line when the token opened the store, the reason otherwise.
fn serve(
    token: &Token,
    (dir, module): (&Path, &Path),
    pin: &Path,
) -> (std::process::Child, String) {
    let mut child = token
        .command()
        .args(["serve", "--data", dir.to_str().unwrap()])
        .arg("--pkcs11-module")
        .arg(module)
        .arg("--token-pin-file")
        .arg(pin)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let started = Instant::now();
    let mut said = Vec::new();
    let mut buffer = [0u8; 512];
    use std::io::Read;
    while started.elapsed() < Duration::from_secs(20) {
        let n = stderr.read(&mut buffer).unwrap_or(0);
        if n == 0 {
            break;
        }
        said.extend_from_slice(&buffer[..n]);
        if said.contains(&b'\n') {
            break;
        }
    }
    (child, String::from_utf8_lossy(&said).into_owned())
}

#[test]
fn a_token_slot_opens_the_store_at_start_with_the_pin_alone() {
    let Some(module) = softhsm() else { return };
    let (tmp, dir) = crate::common::tmux::demo_store();
    let token = Token::new(tmp.path(), "caredesk");
    let data = dir.to_str().unwrap();

    // Without a module named, the security administrator is told what to ask for.
    let pin = pin_file(tmp.path(), "pin", PIN);
    let mut args = vec![
        "key",
        "add-token",
        "hsm",
        "--data",
        data,
        "--token",
        "caredesk",
        "--pin-file",
        pin.to_str().unwrap(),
    ];
    let refused = token.run(&args, &credentials(SECURITY));
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("--pkcs11-module"),
        "{}",
        text(&refused.stderr)
    );
    // A library anyone could have put there is refused before it is loaded.
    let planted = tmp.path().join("libplanted.so");
    std::fs::copy(&module, &planted).unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).unwrap();
    let mut planted_args = args.clone();
    planted_args.extend(["--module", planted.to_str().unwrap()]);
    let refused = token.run(&planted_args, &credentials(SECURITY));
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("writable by no one else"),
        "{}",
        text(&refused.stderr)
    );
    args.extend(["--module", module.to_str().unwrap()]);

    // A wrong PIN adds nothing.
    let wrong = pin_file(tmp.path(), "wrong", "000000");
    let mut wrong_args = args.clone();
    wrong_args[8] = wrong.to_str().unwrap();
    let refused = token.run(&wrong_args, &credentials(SECURITY));
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("PIN is wrong"),
        "{}",
        text(&refused.stderr)
    );

    let added = token.run(&args, &credentials(SECURITY));
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("token slot hsm added"));
    // The token made its own key, kept in it: the store holds only what it encrypted.
    let listed = token.run(&["key", "list", "--data", data], &credentials(SECURITY));
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(
        text(&listed.stdout).contains("token"),
        "{}",
        text(&listed.stdout)
    );

    let expected = format!(
        "crypto suite: {}",
        caredesk::crypto::suite::current().name()
    );
    assert!(
        text(&listed.stdout).contains(&expected),
        "{}",
        text(&listed.stdout)
    );

    // The server opens the store with the token and its PIN.
    let (mut server, said) = serve(&token, (&dir, &module), &pin);
    assert!(said.contains("unlocked by the token"), "{said}");
    let _ = server.kill();
    let _ = server.wait();

    // A wrong PIN, or another machine's token store, opens nothing.
    let (mut server, said) = serve(&token, (&dir, &module), &wrong);
    assert!(said.contains("PIN is wrong"), "{said}");
    // A status the unit does not restart on: no PIN tried again and again.
    assert_eq!(server.wait().unwrap().code(), Some(78));
    let elsewhere = Token::new(&tmp.path().join("elsewhere"), "other");
    let (mut server, said) = serve(&elsewhere, (&dir, &module), &pin);
    assert!(said.contains("no token labelled \"caredesk\""), "{said}");
    assert!(!server.wait().unwrap().success());
}
