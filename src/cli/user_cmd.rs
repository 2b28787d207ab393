//! `caredesk user …`: staff administration by a signed-in administrator, and a user's
//! own first sign-in (`activate`).

use crate::clinic::api::{Activated, PasswordReset, UserCreated};
use std::io::Write;

use clap::{Args, Subcommand};
use serde::Serialize;
use zeroize::Zeroizing;

use super::signin::{self, Session, format_time};
use super::{DataDir, input};
use crate::auth::Role;
use crate::clinic::api::UserSummary;
use crate::clinic::{Request, Secret, ServiceError, UserChange};
use crate::tui::qr;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff user; prints their one-time initial password, once.
    Add(AddArgs),
    /// List users: role, status, TOTP enrolment, last sign-on.
    List(ListArgs),
    /// Disable a user (their sessions end; they cannot sign in).
    Disable(NameArgs),
    /// Enable a disabled user (also lifts a lockout).
    Enable(ResetPasswordArgs),
    /// Change a user's role (their sessions end).
    SetRole(SetRoleArgs),
    /// Give a user a new one-time password (they activate again; a lockout is lifted).
    ResetPassword(ResetPasswordArgs),
    /// Reset a user's TOTP: they enrol a new authenticator at their next sign-in.
    ResetTotp(NameArgs),
    /// Your own first sign-in: user name, one-time password, new password → your TOTP.
    ///
    /// Reads the three on a terminal (the new password twice) or as three lines of
    /// standard input. Prints the TOTP enrolment (otpauth URI and QR code) and ten
    /// recovery codes; the first sign-in with a code confirms the enrolment.
    Activate(ActivateArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Sign-in name: lower-case letters, digits, '.', '_', '-'.
    pub name: String,
    #[arg(long, value_enum)]
    pub role: Role,
    /// Print exactly {"name", "role", "initial_password"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NameArgs {
    #[command(flatten)]
    pub data: DataDir,
    pub name: String,
}

#[derive(Debug, Args)]
pub struct SetRoleArgs {
    #[command(flatten)]
    pub data: DataDir,
    pub name: String,
    #[arg(value_enum)]
    pub role: Role,
}

#[derive(Debug, Args)]
pub struct ResetPasswordArgs {
    #[command(flatten)]
    pub data: DataDir,
    pub name: String,
    /// Print exactly {"name", "one_time_password"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ActivateArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Print exactly {"otpauth_uri", "recovery_codes"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct UserRow<'a> {
    name: &'a str,
    role: Role,
    status: &'a str,
    totp_enrolled: bool,
    last_sign_on: Option<String>,
}

pub fn run(command: UserCommand) -> anyhow::Result<()> {
    if let UserCommand::Activate(args) = command {
        return activate(args);
    }
    let dir = match &command {
        UserCommand::Add(a) => &a.data,
        UserCommand::List(a) => &a.data,
        UserCommand::Disable(a) | UserCommand::ResetTotp(a) => &a.data,
        UserCommand::SetRole(a) => &a.data,
        UserCommand::ResetPassword(a) | UserCommand::Enable(a) => &a.data,
        UserCommand::Activate(a) => &a.data,
    }
    .path
    .clone();
    let session = signin::connect(&dir)?;
    signin::sign_in(&session)?;
    let result = act(&session, command);
    signin::sign_out(&session);
    result
}

/// The service's refusal as the command's error.
fn refused(e: ServiceError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn act(session: &Session, command: UserCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        UserCommand::Add(args) => {
            let UserCreated {
                name,
                role,
                initial_password,
            } = session
                .ask(Request::UserAdd {
                    name: args.name,
                    role: args.role,
                })
                .map_err(refused)?;
            if args.json {
                let json = Zeroizing::new(serde_json::to_string(&serde_json::json!({
                    "name": name, "role": role, "initial_password": initial_password.expose()
                }))?);
                writeln!(out, "{}", json.as_str())?;
            } else {
                writeln!(
                    out,
                    "Added {name} ({role}). One-time initial password, shown once:"
                )?;
                writeln!(out, "  {}", initial_password.expose())?;
                writeln!(
                    out,
                    "Give it to {name} in person; they run `caredesk user activate` to set their own."
                )?;
            }
            Ok(())
        }
        UserCommand::List(args) => {
            let users: Vec<UserSummary> = session.ask(Request::UserList).map_err(refused)?;
            let rows: Vec<UserRow> = users
                .iter()
                .map(|u| UserRow {
                    name: &u.name,
                    role: u.role,
                    status: if u.disabled {
                        "disabled"
                    } else if u.locked {
                        "locked"
                    } else if u.must_change_password {
                        "not activated"
                    } else {
                        "active"
                    },
                    totp_enrolled: u.totp_enrolled,
                    last_sign_on: u.last_sign_on_unix.map(format_time),
                })
                .collect();
            if args.json {
                writeln!(out, "{}", serde_json::to_string(&rows)?)?;
            } else {
                writeln!(
                    out,
                    "{:<20} {:<15} {:<14} {:<9} LAST SIGN-ON",
                    "NAME", "ROLE", "STATUS", "TOTP"
                )?;
                for r in rows {
                    writeln!(
                        out,
                        "{:<20} {:<15} {:<14} {:<9} {}",
                        r.name,
                        r.role.as_str(),
                        r.status,
                        if r.totp_enrolled {
                            "enrolled"
                        } else {
                            "pending"
                        },
                        r.last_sign_on.as_deref().unwrap_or("never")
                    )?;
                }
            }
            Ok(())
        }
        UserCommand::Disable(args) => {
            session
                .ask::<()>(Request::UserDisable {
                    name: args.name.clone(),
                })
                .map_err(refused)?;
            writeln!(out, "Disabled {}.", args.name)?;
            Ok(())
        }
        UserCommand::Enable(args) => {
            let reply = session
                .ask(Request::UserEnable {
                    name: args.name.clone(),
                })
                .map_err(refused)?;
            let UserChange::PasswordReset(reset) = reply else {
                // The account was not disabled: only a lockout was lifted.
                if args.json {
                    writeln!(out, "{}", serde_json::json!({ "name": args.name }))?;
                } else {
                    writeln!(
                        out,
                        "{} was not disabled: any lockout is lifted; the password is unchanged.",
                        args.name
                    )?;
                }
                return Ok(());
            };
            show_one_time_password(&mut out, reset, args.json, "Enabled")
        }
        UserCommand::SetRole(args) => {
            session
                .ask::<()>(Request::UserSetRole {
                    name: args.name.clone(),
                    role: args.role,
                })
                .map_err(refused)?;
            writeln!(out, "{} is now {}.", args.name, args.role)?;
            Ok(())
        }
        UserCommand::ResetTotp(args) => {
            session
                .ask::<()>(Request::UserResetTotp {
                    name: args.name.clone(),
                })
                .map_err(refused)?;
            writeln!(
                out,
                "Reset the TOTP of {}: they enrol a new authenticator at their next sign-in.",
                args.name
            )?;
            Ok(())
        }
        UserCommand::ResetPassword(args) => {
            let reset = session
                .ask(Request::UserResetPassword { name: args.name })
                .map_err(refused)?;
            show_one_time_password(&mut out, reset, args.json, "Reset the password of")
        }
        UserCommand::Activate(_) => Ok(()),
    }
}

fn activate(args: ActivateArgs) -> anyhow::Result<()> {
    let (user, one_time, new) = if input::stdin_is_terminal() {
        eprint!("User name: ");
        std::io::stderr().flush()?;
        let user = input::read_stdin_line("user name")?;
        let one_time = Zeroizing::new(rpassword::prompt_password("One-time password: ")?);
        let new = input::read_new_password(user.trim())?;
        (user, one_time, new)
    } else {
        (
            input::read_stdin_line("user name")?,
            input::read_stdin_line("one-time password")?,
            input::read_stdin_line("new password")?,
        )
    };
    let session = signin::connect(&args.data.path)?;
    let Activated {
        otpauth_uri: uri,
        recovery_codes: codes,
    } = session
        .ask(Request::Activate {
            user: user.trim().to_string(),
            one_time_password: Secret::new(one_time.as_str()),
            new_password: Secret::new(new.as_str()),
        })
        .map_err(refused)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let codes: Vec<&str> = codes.iter().map(Secret::expose).collect();
        let json = Zeroizing::new(serde_json::to_string(&serde_json::json!({
            "otpauth_uri": uri.expose(), "recovery_codes": codes
        }))?);
        writeln!(out, "{}", json.as_str())?;
        return Ok(());
    }
    writeln!(
        out,
        "Your password is set. Scan this code with your authenticator app:"
    )?;
    if let Some(code) = qr::render(uri.expose()) {
        writeln!(out, "{code}")?;
    }
    writeln!(out, "  {}", uri.expose())?;
    writeln!(out)?;
    writeln!(
        out,
        "One-time recovery codes (each signs in once without the phone), shown once:"
    )?;
    for code in &codes {
        writeln!(out, "  {}", code.expose())?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Sign in once with a code from the app to confirm the enrolment."
    )?;
    Ok(())
}

/// A new one-time password (reset, or an account enabled again), shown once.
fn show_one_time_password(
    out: &mut impl Write,
    reset: PasswordReset,
    json: bool,
    done: &str,
) -> anyhow::Result<()> {
    let PasswordReset {
        name,
        one_time_password,
    } = reset;
    if json {
        let json = Zeroizing::new(serde_json::to_string(&serde_json::json!({
            "name": name, "one_time_password": one_time_password.expose()
        }))?);
        writeln!(out, "{}", json.as_str())?;
    } else {
        writeln!(out, "{done} {name}. New one-time password, shown once:")?;
        writeln!(out, "  {}", one_time_password.expose())?;
        writeln!(out, "They run `caredesk user activate` to set their own.")?;
    }
    Ok(())
}
