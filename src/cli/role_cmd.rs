//! `caredesk role …`: the role table, read by any administrator and changed by the
//! security administrator (三员分立). A change is written into `settings.toml`'s
//! `[roles]` by the service, editing only that role's line (the admin's comments
//! stay), and audited.

use std::collections::BTreeSet;
use std::io::Write;

use clap::{Args, Subcommand};

use super::DataDir;
use super::signin;
use crate::auth::{Permission, Role, RoleTable};
use crate::clinic::Request;

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Every role and the permissions it holds.
    List(RoleListArgs),
    /// Give a role exactly these permissions (the security administrator; audited,
    /// written into settings.toml's [roles], the file's comments kept).
    Set(RoleSetArgs),
}

#[derive(Debug, Args)]
pub struct RoleListArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Print a JSON object: role → list of permissions.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RoleSetArgs {
    #[command(flatten)]
    pub data: DataDir,
    #[arg(value_enum)]
    pub role: Role,
    /// The permissions, by name (`caredesk role list` shows them), e.g.
    /// patient_search clinical_read follow_up_work.
    #[arg(required = true, value_parser = parse_permission)]
    pub permissions: Vec<Permission>,
}

fn parse_permission(name: &str) -> Result<Permission, String> {
    Permission::ALL
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| {
            format!(
                "{name:?} is not a permission; the permissions are: {}",
                Permission::ALL.map(|p| p.name()).join(", ")
            )
        })
}

pub fn run(command: RoleCommand) -> anyhow::Result<()> {
    let dir = match &command {
        RoleCommand::List(a) => &a.data,
        RoleCommand::Set(a) => &a.data,
    }
    .path
    .clone();
    let session = signin::connect(&dir)?;
    signin::sign_in(&session)?;
    let result = act(&session, command);
    signin::sign_out(&session);
    result
}

fn act(session: &signin::Session, command: RoleCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        RoleCommand::List(args) => {
            let table: RoleTable = session
                .ask(Request::RolesGet)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if args.json {
                let json: serde_json::Map<String, serde_json::Value> = Role::ALL
                    .into_iter()
                    .map(|role| {
                        let names = table.permissions(role).into_iter().map(|p| p.name());
                        (role.as_str().to_string(), names.collect())
                    })
                    .collect();
                writeln!(out, "{}", serde_json::Value::Object(json))?;
            } else {
                for role in Role::ALL {
                    let names: Vec<String> = table
                        .permissions(role)
                        .into_iter()
                        .map(|p| p.name())
                        .collect();
                    writeln!(out, "{:<16} {}", role.as_str(), names.join(" "))?;
                }
            }
        }
        RoleCommand::Set(args) => {
            let permissions: BTreeSet<Permission> = args.permissions.into_iter().collect();
            session
                .ask::<()>(Request::RolesSet {
                    role: args.role,
                    permissions: permissions.clone(),
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let names: Vec<String> = permissions.iter().map(|p| p.name()).collect();
            writeln!(
                out,
                "{} now holds: {}.",
                args.role.as_str(),
                names.join(" ")
            )?;
        }
    }
    Ok(())
}
