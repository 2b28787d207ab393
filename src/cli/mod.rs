//! The command line: parsing (clap) and the commands that do not need a terminal UI.
//!
//! Exit codes: 0 done; 1 the command failed (the message says why and what to do);
//! 2 the command line itself is wrong; 3 `audit verify` found the log broken.

/// `println!` for text that may carry what someone typed or a file held: every
/// control character and bidirectional override is replaced before the terminal sees
/// it (`domain::text::printable`).
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", $crate::domain::text::printable(&format!($($arg)*)))
    };
}

mod audit_archive;
pub mod audit_cmd;
mod audit_remote;
pub mod backup_cmd;
pub mod backup_push;
pub mod core_dumps;
pub mod demo_cmd;
pub mod erase_cmd;
pub mod export_cmd;
pub mod import_cmd;
pub mod init_cmd;
pub mod input;
pub mod key_cmd;
#[cfg(feature = "package-assets")]
pub mod manual;

pub mod report_cmd;
pub mod results_cmd;
pub mod retention_cmd;
pub mod rights_cmd;
pub mod rights_log_cmd;
pub mod role_cmd;
pub mod signin;
pub mod user_cmd;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_TAMPERED: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "caredesk",
    version,
    about = "The health-management desk for clinics: member cards, health records, exam results, follow-up calls and reports, encrypted and audited.",
    long_about = None,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Talk to the caredesk server listening on this socket (default: the one named by
    /// CAREDESK_SOCKET, or beside the store, when it answers).
    #[arg(long, global = true, value_name = "SOCKET", conflicts_with = "local")]
    pub connect: Option<PathBuf>,
    /// Open the store in this process; never use a server.
    #[arg(long, global = true)]
    pub local: bool,
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// Without a command, `caredesk` opens the terminal app.
#[derive(Debug, Args)]
pub struct TuiArgs {
    /// The store directory (or set CAREDESK_DATA).
    #[arg(long = "data", env = "CAREDESK_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub flags: TuiFlags,
}

/// How the terminal app looks and behaves for this run; defaults in settings.toml.
#[derive(Debug, Args)]
pub struct TuiFlags {
    /// Key bindings: default (function keys and arrows) or vim.
    #[arg(long, value_name = "NAME")]
    pub keymap: Option<String>,
    /// Language of the screens.
    #[arg(long, value_enum)]
    pub lang: Option<crate::i18n::Lang>,
    /// Sign out after this long without a key press (e.g. 30s, 5m).
    #[arg(long, value_name = "TIME", value_parser = crate::tui::parse_duration)]
    pub idle_logout: Option<std::time::Duration>,
}

/// The store directory, from `--data` or `CAREDESK_DATA`.
#[derive(Debug, Args)]
pub struct DataDir {
    /// The store directory (or set CAREDESK_DATA).
    #[arg(long = "data", env = "CAREDESK_DATA", value_name = "DIR")]
    pub path: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new encrypted store with its first admin user.
    ///
    /// Asks for the admin's password twice on a terminal, or reads it as the first line
    /// of standard input otherwise. Prints, once: the TOTP enrolment (otpauth URI and a
    /// QR code), the recovery key, the audit verification seed and ten recovery codes.
    /// Never touches an existing store.
    Init(init_cmd::InitArgs),
    /// Create (once) and open a demo clinic full of synthetic data.
    ///
    /// Staff of every role with known passwords and TOTP secrets (the sign-in screen
    /// shows each one's current code), and synthetic patients. Never for real data.
    Demo(demo_cmd::DemoArgs),
    /// Check, export and checkpoint the tamper-evident audit log.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCommand),
    /// Export what is held on a patient (their right of access).
    #[command(subcommand)]
    Export(export_cmd::ExportCommand),
    /// Import data from files (patients from a spreadsheet).
    #[command(subcommand)]
    Import(import_cmd::ImportCommand),
    /// Administer staff users (as a signed-in admin), or activate your own account.
    ///
    /// The acting user signs in with user name, password and TOTP code, asked on a
    /// terminal or read as three lines of standard input.
    #[command(subcommand)]
    User(user_cmd::UserCommand),
    /// The role table: list it, or give a role its permissions (security administrator).
    #[command(subcommand)]
    Role(role_cmd::RoleCommand),
    /// Keys (as a signed-in admin): list and remove key slots, a key file for unattended
    /// jobs, a new recovery key (none of these re-encrypts the data), and rotating the
    /// data key (which re-seals everything under a new one).
    #[command(subcommand)]
    Key(key_cmd::KeyCommand),
    /// Run the clinic server: own the store, serve terminals and commands on a socket.
    ///
    /// Unlocks the store with a key file (`caredesk key add-file`), or waits locked
    /// until the first user signs in through a client. SIGTERM or SIGINT: finishes the
    /// requests in flight and exits 0.
    Serve(ServeArgs),
    /// A patient's health report for a period, as a PDF file or on a CUPS printer.
    ///
    /// Prints what the signed-in role may see; ID and phone numbers are masked unless
    /// --unmask. Audited as a disclosure naming the printer or file. Signs in like
    /// `caredesk user`.
    Report(report_cmd::ReportArgs),
    /// A patient's member card (85.6 × 54 mm, Code 128 and QR code of the card number),
    /// as a PDF file or on a CUPS printer. Audited; signs in like `caredesk user`.
    Card(report_cmd::CardArgs),
    /// The notice (告知书) a patient reads and signs before the separate consents to
    /// process their health information and to provide it to others (PIPL arts. 17,
    /// 29, 30), as a PDF file or on a CUPS printer: `DIR/notice.toml`, with its version.
    /// Signs in like `caredesk user`.
    Notice(report_cmd::NoticeArgs),
    /// A patient's 随访服务记录表 (the hypertension or type 2 diabetes follow-up record
    /// of the 国家基本公共卫生服务规范): a year's visits of one plan, four to a table,
    /// as a PDF file or on a CUPS printer. Audited; signs in like `caredesk user`.
    FollowupForm(report_cmd::FollowUpFormArgs),
    /// A patient's 健康体检表 (the annual health examination form of the 国家基本公共卫生
    /// 服务规范), every section and item in the form's order, as a PDF file or on a
    /// CUPS printer. Audited; signs in like `caredesk user`.
    ExamForm(report_cmd::ExamFormArgs),
    /// The privacy officer's log of patients' requests over their information (PIPL
    /// art. 50): `add` one (its answer due in `[privacy] answer_working_days` working
    /// days), `answer` one, `list` them. Signs in like `caredesk user`.
    #[command(subcommand)]
    Rights(rights_log_cmd::RightsCommand),
    /// Records past `[retention] record_years` since their last activity (`review`),
    /// and keeping one stored only (`restrict`, PIPL art. 47). Signs in like `caredesk
    /// user`.
    #[command(subcommand)]
    Retention(retention_cmd::RetentionCommand),
    /// Back up the whole store into an encrypted file (as a signed-in admin), or
    /// check one: `caredesk backup --data DIR --out FILE`, `caredesk backup verify FILE`.
    ///
    /// A consistent moment of every record, the audit log and its sealing state, the
    /// settings and rule files, sealed under a key only the store's keys open.
    Backup(backup_cmd::BackupArgs),
    /// Restore a backup into a new directory, then verify its audit log.
    ///
    /// Opens with one of the store's keys (the backup carries its key slots, so the
    /// same users sign in afterwards). Never replaces an existing store.
    Restore(backup_cmd::RestoreArgs),
    /// The accounting of disclosures of one patient's information over six years
    /// (45 CFR 164.528), as a table, JSON, or a PDF for the patient (the auditor).
    Disclosures(rights_cmd::DisclosuresArgs),
    /// Erase a patient: one person asks with a reason, a second approves; the
    /// patient's key is shredded, the audit log keeps its entries.
    #[command(subcommand)]
    Erase(erase_cmd::EraseCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Where to listen (default: DIR/caredesk.sock).
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// A key file (0600) that opens the store at start.
    #[arg(long, value_name = "FILE", conflicts_with = "token_pin_file")]
    pub key_file: Option<PathBuf>,
    /// A file (0600) with the PIN of the PKCS#11 token whose key opens the store's token
    /// slot (`caredesk key add-token`), at start.
    #[arg(long, value_name = "FILE", requires = "pkcs11_module")]
    pub token_pin_file: Option<PathBuf>,
    /// The token's PKCS#11 library (root's own, writable by no one else), for token
    /// slots: e.g. /usr/lib/softhsm/libsofthsm2.so.
    #[arg(long, value_name = "PATH")]
    pub pkcs11_module: Option<PathBuf>,
}

impl Cli {
    /// How commands and the terminal reach the service.
    pub fn connection_mode(&self) -> crate::server::connection::Mode {
        use crate::server::connection::Mode;
        match (&self.connect, self.local) {
            (Some(path), _) => Mode::Connect(path.clone()),
            (None, true) => Mode::Local,
            (None, false) => Mode::Auto,
        }
    }
}

pub fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    if let Some(module) = &args.pkcs11_module {
        crate::crypto::token::set_module(module)?;
    }
    let socket = args
        .socket
        .unwrap_or_else(|| crate::server::daemon::default_socket(&args.data.path));
    crate::server::daemon::serve(crate::server::daemon::ServeOptions {
        dir: args.data.path,
        socket,
        key_file: args.key_file,
        token_pin_file: args.token_pin_file,
    })
}

/// Opens the terminal app for the store in `args.data`.
pub fn run_tui(args: TuiArgs) -> anyhow::Result<()> {
    // A terminal of the clinic server needs only its socket.
    let server = match signin::mode() {
        crate::server::connection::Mode::Connect(_) => true,
        crate::server::connection::Mode::Local => false,
        crate::server::connection::Mode::Auto => std::env::var_os("CAREDESK_SOCKET").is_some(),
    };
    if args.data.is_none() && !server {
        anyhow::bail!(
            "no store given: use --data DIR (or set CAREDESK_DATA), --connect SOCKET for a clinic server, or try `caredesk demo` for a demo clinic"
        );
    }
    crate::tui::run(crate::tui::TuiOptions {
        dir: args.data,
        keymap: args.flags.keymap,
        lang: args.flags.lang,
        idle_logout: args.flags.idle_logout,
        mode: signin::mode(),
        demo_accounts: Some(crate::demo::accounts_at),
    })
}
