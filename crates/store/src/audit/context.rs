//! Where a request comes from: the OS account and the SSH client, for audit records.
//! Names come from the system's name service, so directory (LDAP/SSSD) accounts show
//! by name, as `ls -l` and `id` show them.

use super::record::Actor;

/// The OS user name of a uid from the system's name service (`getpwuid`: local
/// files, LDAP or SSSD alike); `uid N` when it has none.
pub fn os_user_name(uid: u32) -> String {
    match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
        Ok(Some(user)) => user.name,
        _ => format!("uid {uid}"),
    }
}

/// `ip:port` of the client from an `SSH_CONNECTION` value
/// (`client_ip client_port server_ip server_port`).
pub fn ssh_client_from(value: &str) -> Option<String> {
    let mut parts = value.split_whitespace();
    let ip: std::net::IpAddr = parts.next()?.parse().ok()?;
    let port: u16 = parts.next()?.parse().ok()?;
    Some(std::net::SocketAddr::new(ip, port).to_string())
}

/// The SSH client a terminal claims in its greeting, kept only when it is an address
/// (`ip:port`): what a client says is recorded as it says it, never as raw text.
pub fn claimed_ssh_client(claimed: &str) -> Option<String> {
    claimed
        .parse::<std::net::SocketAddr>()
        .ok()
        .map(|a| a.to_string())
}

/// The actor for a request made by this process, before anyone signs in.
pub fn process_actor() -> Actor {
    let uid = rustix::process::getuid().as_raw();
    Actor {
        user: None,
        role: None,
        os_user: os_user_name(uid),
        ssh_client: std::env::var("SSH_CONNECTION")
            .ok()
            .as_deref()
            .and_then(ssh_client_from),
        session: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_connection_gives_client_address() {
        assert_eq!(
            ssh_client_from("203.0.113.7 50022 10.0.0.2 22").as_deref(),
            Some("203.0.113.7:50022")
        );
        assert_eq!(ssh_client_from(""), None);
        assert_eq!(ssh_client_from("evil\u{1b}[2J 22 x 22"), None);
        assert_eq!(
            claimed_ssh_client("[2001:db8::1]:2222").as_deref(),
            Some("[2001:db8::1]:2222")
        );
        assert_eq!(claimed_ssh_client("=cmd|' /C calc'!A0"), None);
    }

    #[test]
    fn root_has_a_name_and_an_unknown_uid_a_number() {
        assert_eq!(os_user_name(0), "root");
        assert_eq!(os_user_name(3_999_999_999), "uid 3999999999");
    }
}
