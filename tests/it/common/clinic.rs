//! A clinic with one signed-in user of each role, on a clock the test moves.
#![allow(dead_code)]

use caredesk::clinic::api::{Activated, UserCreated};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use caredesk::auth::Role;
use caredesk::clinic::{Clinic, InProcess, Origin, Request, Response, Secret, Signed};
use caredesk::crypto::KdfParams;
use caredesk::store::{self, StoreOptions};
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{ADMIN, ManualClock, PASSWORD, actor};

pub const START: i64 = 1_900_000_000;

/// RFC 6238 TOTP written here, independently of the crate under test: HMAC-SHA1 of the
/// big-endian step, dynamic truncation, modulo 10^digits.
pub fn totp_code(secret: &[u8], unix: i64, digits: u32) -> String {
    let step = (unix as u64) / 30;
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).unwrap();
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = (hash[19] & 0x0f) as usize;
    let binary = ((u32::from(hash[offset]) & 0x7f) << 24)
        | (u32::from(hash[offset + 1]) << 16)
        | (u32::from(hash[offset + 2]) << 8)
        | u32::from(hash[offset + 3]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

/// The secret inside an otpauth URI.
pub fn secret_of(uri: &str) -> Vec<u8> {
    let secret = uri
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .unwrap()
}

/// Argon2id at a small cost for the many sign-ons these tests make; the production
/// cost is exercised in the store tests and the benchmark.
pub fn quick_options(clock: &ManualClock) -> StoreOptions {
    StoreOptions {
        clock: clock.clock(),
        password_kdf: KdfParams::Argon2id {
            memory_kib: 8 * 1024,
            iterations: 1,
            parallelism: 1,
        },
        ..StoreOptions::default()
    }
}

pub struct Staff {
    pub name: String,
    pub password: String,
    pub secret: Vec<u8>,
}

pub struct TestClinic {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub clock: ManualClock,
    pub clinic: Arc<Clinic>,
    pub staff: HashMap<Role, Staff>,
    pub recovery_codes: Vec<String>,
    /// The store's recovery key, as `init` shows it once.
    pub recovery_key: String,
}

pub fn role_user(role: Role) -> String {
    format!("{}.user", role.as_str().replace('_', "-"))
}

impl TestClinic {
    /// A store with its admin only; `settings` is written to settings.toml first.
    pub fn new_with_settings(settings: Option<&str>) -> TestClinic {
        let tmp = tempfile::tempdir().unwrap();
        let clock = ManualClock::starting_at(START);
        let dir = tmp.path().join("store");
        let (vault, secrets) =
            store::init(&dir, ADMIN, PASSWORD, quick_options(&clock), actor()).unwrap();
        drop(vault);
        if let Some(text) = settings {
            std::fs::write(dir.join("settings.toml"), text).unwrap();
        }
        let clinic = Arc::new(Clinic::open(&dir, quick_options(&clock)).unwrap());
        let mut staff = HashMap::new();
        staff.insert(
            Role::Admin,
            Staff {
                name: ADMIN.into(),
                password: PASSWORD.into(),
                secret: secret_of(&secrets.otpauth_uri),
            },
        );
        TestClinic {
            tmp,
            dir,
            clock,
            clinic,
            staff,
            recovery_codes: secrets
                .recovery_codes
                .iter()
                .map(|c| c.to_string())
                .collect(),
            recovery_key: secrets.recovery_key.to_string(),
        }
    }

    pub fn new() -> TestClinic {
        Self::new_with_settings(None)
    }

    /// Adds and activates one user of each staff role besides admin.
    pub fn with_all_roles() -> TestClinic {
        Self::with_all_roles_and_settings(None)
    }

    /// One user of each staff role, with `settings` written to settings.toml first.
    pub fn with_all_roles_and_settings(settings: Option<&str>) -> TestClinic {
        let mut t = Self::new_with_settings(settings);
        let admin = t.sign_in(Role::Admin);
        for role in [
            Role::FrontDesk,
            Role::Nurse,
            Role::Doctor,
            Role::HealthManager,
            Role::Auditor,
            Role::PrivacyOfficer,
            Role::SecurityAdmin,
        ] {
            t.add_user(&admin, &role_user(role), role);
        }
        t
    }

    pub fn client(&self) -> Signed<InProcess> {
        Signed::new(InProcess::new(
            self.clinic.clone(),
            Origin {
                os_user: "tester".into(),
                ssh_client: Some("192.0.2.7:40000".into()),
            },
        ))
    }

    pub fn now(&self) -> i64 {
        START + self.clock_offset()
    }

    /// The clinic's date now (UTC, as the service reckons it).
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::DateTime::from_timestamp(self.now(), 0)
            .unwrap_or_default()
            .date_naive()
    }

    fn clock_offset(&self) -> i64 {
        (self.clock.clock())().timestamp() - START
    }

    /// A fresh code for the role's user (the clock moves on a step first, so no code
    /// is ever reused by accident).
    pub fn code(&self, role: Role) -> String {
        self.clock.advance_secs(30);
        totp_code(&self.staff[&role].secret, self.now(), 6)
    }

    pub fn login(&self, client: &Signed<InProcess>, role: Role, code: &str) -> Response {
        let staff = &self.staff[&role];
        client.call(Request::Login {
            user: staff.name.clone(),
            password: Secret::new(staff.password.clone()),
            code: Secret::new(code),
        })
    }

    pub fn sign_in(&self, role: Role) -> Signed<InProcess> {
        let client = self.client();
        let code = self.code(role);
        let response = self.login(&client, role, &code);
        assert!(
            matches!(response, Response::SignedIn(_)),
            "{role}: {response:?}"
        );
        client
    }

    /// Adds a user as `admin`, activates them, and keeps their secret.
    pub fn add_user(&mut self, admin: &Signed<InProcess>, name: &str, role: Role) {
        let Response::UserCreated(UserCreated {
            initial_password, ..
        }) = admin.call(Request::UserAdd {
            name: name.into(),
            role,
        })
        else {
            panic!("user add failed");
        };
        let password = format!("violet heron walks the quiet harbour {}", self.staff.len());
        let activated = self.client().call(Request::Activate {
            user: name.into(),
            one_time_password: initial_password,
            new_password: Secret::new(password.clone()),
        });
        let Response::Activated(Activated { otpauth_uri, .. }) = activated else {
            panic!("activate failed: {activated:?}");
        };
        self.staff.insert(
            role,
            Staff {
                name: name.into(),
                password,
                secret: secret_of(otpauth_uri.expose()),
            },
        );
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Closes the service and opens the same store again, as a restarted daemon
    /// would; the admin's sign-in unlocks it.
    pub fn reopen(self) -> TestClinic {
        let TestClinic {
            tmp,
            dir,
            clock,
            clinic,
            staff,
            recovery_codes,
            recovery_key,
        } = self;
        drop(clinic);
        let clinic = Arc::new(Clinic::open(&dir, quick_options(&clock)).unwrap());
        let t = TestClinic {
            tmp,
            dir,
            clock,
            clinic,
            staff,
            recovery_codes,
            recovery_key,
        };
        drop(t.sign_in(Role::Admin));
        t
    }
}

/// Every audit event, as an auditor reads them through the service.
pub fn audit_rows(auditor: &Signed<InProcess>) -> Vec<caredesk::clinic::wire::AuditEntry> {
    auditor
        .ask(Request::AuditEvents {
            from: None,
            to: None,
            limit: 100_000,
            after: None,
        })
        .unwrap_or_else(|e| panic!("the auditor could not read the audit log: {e}"))
}

/// Signs in to a clinic made by `caredesk demo` as the demo user `user`, with that
/// user's code at `START`.
pub fn demo_client(clinic: &Arc<Clinic>, user: &str) -> Signed<InProcess> {
    let (_, _, password) = caredesk::demo::USERS
        .iter()
        .find(|(u, _, _)| *u == user)
        .unwrap();
    let signed = Signed::new(InProcess::new(clinic.clone(), Origin::this_process()));
    let (code, _) = caredesk::demo::current_code(user, START);
    let login = signed.call(Request::Login {
        user: user.into(),
        password: Secret::new(*password),
        code: Secret::new(code),
    });
    assert!(matches!(login, Response::SignedIn(_)), "{login:?}");
    signed
}

/// A demo store opened by the demo's administrator, to read what the demo made.
pub fn demo_vault(dir: &Path, clock: &ManualClock) -> caredesk::store::Vault {
    let store = caredesk::store::Store::open(dir, quick_options(clock)).unwrap();
    let (admin, _, password) = caredesk::demo::USERS[0];
    let keys = store
        .unlock(caredesk::store::Unlock::Password {
            user: admin,
            password: password.as_bytes(),
        })
        .unwrap();
    caredesk::store::Vault::new(store, keys)
}
