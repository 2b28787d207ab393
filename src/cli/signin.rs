//! Signing in from the command line: the acting user's name, password and TOTP code,
//! asked on a terminal or read as three lines of standard input; never from arguments
//! or the environment.

use std::io::Write;

use zeroize::Zeroizing;

use super::input;
use crate::clinic::api::TotpEnrolment;
use crate::clinic::{Request, Secret, SignOn, Signed, SignedIn};
use crate::server::connection::{Connection, Mode};
use crate::tui::qr;

pub type Session = Signed<Connection>;

/// How commands reach the service, from `--connect` / `--local` (set once by `main`).
static MODE: std::sync::OnceLock<Mode> = std::sync::OnceLock::new();

pub fn set_mode(mode: Mode) {
    let _ = MODE.set(mode);
}

pub fn mode() -> Mode {
    MODE.get().cloned().unwrap_or_default()
}

/// The daemon serving the store at `dir` if one runs, else the store opened by this
/// process (still locked).
pub fn connect(dir: &std::path::Path) -> anyhow::Result<Session> {
    Ok(Signed::new(crate::server::connection::connect(
        Some(dir),
        &mode(),
    )?))
}

fn ask_line(prompt: &str) -> anyhow::Result<Zeroizing<String>> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    input::read_stdin_line(prompt.trim_end_matches([':', ' ']))
}

/// Reads the credentials and signs in; prints the sign-on notice on stderr.
pub fn sign_in(session: &Session) -> anyhow::Result<SignedIn> {
    let terminal = input::stdin_is_terminal();
    let (user, password, code) = if terminal {
        let user = ask_line("User name: ")?;
        let password = Zeroizing::new(rpassword::prompt_password("Password: ")?);
        let code = ask_line("Code from your authenticator app (or a recovery code): ")?;
        (user, password, code)
    } else {
        (
            input::read_stdin_line("user name")?,
            input::read_stdin_line("password")?,
            input::read_stdin_line("TOTP code")?,
        )
    };
    let response = session.ask(Request::Login {
        user: user.trim().to_string(),
        password: Secret::new(password.as_str()),
        code: Secret::new(code.as_str()),
    });
    let signed = match response.map_err(|e| anyhow::anyhow!("{e}"))? {
        SignOn::SignedIn(signed) => signed,
        SignOn::Enrol(TotpEnrolment {
            pending,
            otpauth_uri,
        }) if terminal => enrol(session, pending, &otpauth_uri)?,
        SignOn::Enrol(_) => anyhow::bail!(
            "your two-factor sign-in was reset: sign in once at a terminal to enrol your authenticator app again"
        ),
    };
    report_notice(&signed);
    Ok(signed)
}

fn enrol(
    session: &Session,
    pending: crate::clinic::SessionToken,
    uri: &Secret,
) -> anyhow::Result<SignedIn> {
    eprintln!("Your two-factor sign-in was reset. Scan this code with your authenticator app:");
    if let Some(code) = qr::render(uri.expose()) {
        eprintln!("{code}");
    }
    eprintln!("{}", uri.expose());
    let code = ask_line("Code from the app, to confirm: ")?;
    let signed: SignedIn = session
        .ask(Request::ConfirmTotp {
            pending,
            code: Secret::new(code.as_str()),
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(codes) = &signed.new_recovery_codes {
        eprintln!("New one-time recovery codes (shown once):");
        for c in codes {
            eprintln!("  {}", c.expose());
        }
    }
    Ok(signed)
}

fn report_notice(signed: &SignedIn) {
    let last = signed
        .notice
        .previous_sign_on
        .map(format_time)
        .unwrap_or_else(|| "never".into());
    eprintln!(
        "Signed in as {} ({}). Last sign-on: {last}; failed attempts since: {}.",
        signed.user, signed.role, signed.notice.failed_attempts_since
    );
    if let Some(left) = signed.recovery_codes_left {
        eprintln!("Signed in with a recovery code: {left} left.");
    }
}

pub use crate::domain::time::format_time;

/// Ends the session (audited), ignoring a session that already expired.
pub fn sign_out(session: &Session) {
    if session.is_signed_in() {
        // A session that already ended is as good as signed out.
        let _ = session.ask::<()>(Request::Logout);
    }
}
