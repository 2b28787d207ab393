//! Staff administration and one's own password. Every change ends the sessions it
//! affects, once its audit record is written.

use crate::clinic::api::{PasswordReset, UserCreated};
use crate::i18n::Text;
use crate::text;
use std::collections::BTreeSet;

use crate::auth::password::check_new_password;
use crate::auth::user::check_user_name;
use crate::auth::{Permission, Role, User, UserId};
use crate::clinic::api::{Response, Secret, ServiceError, UserSummary};
use crate::clinic::service::{Ctx, Effect, Reply};
use crate::crypto::secret::grouped_base32;
use crate::crypto::{SlotKind, random_array};
use crate::store::Unlock;
use crate::store::meta::META_TREE;
use crate::store::writes::WriteSet;

/// 80 random bits as `XXXX-XXXX-XXXX-XXXX`, shown once to the administrator.
pub(crate) fn one_time_password() -> Secret {
    Secret(grouped_base32(&random_array::<10>()).to_string())
}

fn find(ctx: &Ctx<'_>, name: &str) -> Result<User, ServiceError> {
    ctx.vault
        .user_by_name(name)?
        .ok_or_else(|| ServiceError::NotFound(format!("user {name}")))
}

fn staff_role(role: Role) -> Result<(), ServiceError> {
    if role.is_staff() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(text!("msg.users.system_role")))
    }
}

/// Refuses a change that would leave no enabled holder of `changed`'s role when it is
/// one of the three administrators' (the security and audit administrators only while
/// their duties are separate: merged, the admin holds them).
fn keep_an_administrator(ctx: &Ctx<'_>, changed: &User) -> Result<(), ServiceError> {
    let role = changed.role;
    let guarded = match role {
        Role::Admin => true,
        Role::SecurityAdmin | Role::Auditor => {
            ctx.clinic.settings().security.duties() == crate::auth::AdminDuties::Separate
        }
        _ => false,
    };
    if !guarded {
        return Ok(());
    }
    let others = ctx
        .vault
        .users()?
        .into_iter()
        .filter(|u| u.role == role && !u.disabled && u.id != changed.id)
        .count();
    if others == 0 {
        return Err(ServiceError::Conflict(if role == Role::Admin {
            text!("msg.users.last_admin")
        } else {
            text!("msg.users.last_administrator")
                .arg_text("role", Text::new(format!("role.{}", role.as_str())))
        }));
    }
    Ok(())
}

/// 三员分立: an administrator's account (system, security or audit) is created, reset,
/// enabled or disabled by one who may assign roles (the security administrator),
/// never by the system administrator alone, so no administrator can make or take over
/// another's account. The first of each is the exception: a new clinic's admin adds
/// its security and audit administrators.
fn may_manage(ctx: &Ctx<'_>, role: Role, creating: bool) -> Result<(), ServiceError> {
    if !role.is_administrator() {
        return if ctx.manages_staff() {
            Ok(())
        } else {
            Err(ServiceError::Denied {
                permission: Permission::UserAdmin.name(),
            })
        };
    }
    let first_of_its_role = || -> Result<bool, ServiceError> {
        Ok(!ctx
            .vault
            .users()?
            .iter()
            .any(|u| u.role == role && !u.disabled))
    };
    if ctx.manages_administrators() || (creating && first_of_its_role()?) {
        return Ok(());
    }
    Err(ServiceError::Denied {
        permission: format!(
            "{} (an administrator's account)",
            Permission::RoleAdmin.name()
        ),
    })
}

pub(crate) fn add(ctx: &Ctx<'_>, name: &str, role: Role) -> Result<Reply, ServiceError> {
    check_user_name(name).map_err(ServiceError::Invalid)?;
    staff_role(role)?;
    may_manage(ctx, role, true)?;
    if ctx.vault.user_by_name(name)?.is_some() {
        return Err(ServiceError::Conflict(text!(
            "msg.users.exists",
            name = name
        )));
    }
    let initial = one_time_password();
    let user = User {
        id: UserId::random(),
        name: name.to_string(),
        role,
        disabled: false,
        totp_secret: None,
        totp_confirmed: false,
        totp_last_step: None,
        recovery_codes: Vec::new(),
        must_change_password: true,
        created_unix: ctx.now,
        last_sign_on_unix: None,
        language: None,
    };
    let mut writes = WriteSet::new();
    ctx.vault
        .stage_user(&mut writes, &user, initial.expose().as_bytes())?;
    Ok(Reply::new(Response::UserCreated(UserCreated {
        name: name.to_string(),
        role,
        initial_password: initial,
    }))
    .writes(writes)
    .subject(format!("user:{name}"))
    .detail(format!("role {role}")))
}

pub(crate) fn list(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let store = ctx.vault.store();
    let mut users = Vec::new();
    for user in ctx.vault.users()? {
        let signon = store.signon_state(&user.name)?;
        users.push(UserSummary {
            locked: signon.locked_for(ctx.now).is_some(),
            last_sign_on_unix: signon.last_sign_on,
            totp_enrolled: user.totp_secret.is_some() && user.totp_confirmed,
            name: user.name,
            role: user.role,
            disabled: user.disabled,
            must_change_password: user.must_change_password,
        });
    }
    users.sort_by(|a, b| a.name.cmp(&b.name));
    let count = users.len();
    Ok(Reply::new(Response::Users(users)).detail(format!("count={count}")))
}

/// Disabling removes the user's password key slot (and any rotation grant waiting for
/// it), so their password opens nothing made from now on, not even a backup. Enabling
/// gives them a new one-time password to activate with, as a new user.
pub(crate) fn set_disabled(
    ctx: &Ctx<'_>,
    name: &str,
    disabled: bool,
) -> Result<Reply, ServiceError> {
    let mut user = find(ctx, name)?;
    if disabled && user.name == ctx.session.user {
        return Err(ServiceError::Conflict(text!("msg.users.disable_self")));
    }
    may_manage(ctx, user.role, false)?;
    if disabled {
        keep_an_administrator(ctx, &user)?;
    }
    // The sign-on state is read and written back here: no sign-in of this name may
    // interleave.
    let _one_at_a_time = ctx.clinic.signon_names.lock(name);
    let was_disabled = user.disabled;
    user.disabled = disabled;
    let mut writes = WriteSet::new();
    let reply = if !disabled && !was_disabled {
        // Not disabled: enabling only lifts a lockout; the password stays theirs.
        let mut signon = ctx.vault.store().signon_state(name)?;
        signon.unlock();
        ctx.vault.store().stage_signon(&mut writes, name, &signon)?;
        return Ok(Reply::new(Response::Done)
            .writes(writes)
            .subject(format!("user:{name}"))
            .detail("not disabled: any lockout lifted"));
    } else if disabled {
        let mut removed = 0;
        for slot in ctx.vault.store().key_slots()? {
            if matches!(&slot.kind, SlotKind::Password { user } if user == name) {
                ctx.vault.store().stage_slot_removal(&mut writes, slot.id)?;
                removed += 1;
            }
        }
        ctx.vault.stage_user_update(&mut writes, &user)?;
        Reply::new(Response::Done).detail(format!("password key slots removed: {removed}"))
    } else {
        let one_time = one_time_password();
        user.must_change_password = true;
        user.totp_secret = None;
        user.totp_confirmed = false;
        user.recovery_codes.clear();
        ctx.vault.stage_user_update(&mut writes, &user)?;
        ctx.vault
            .stage_password(&mut writes, name, one_time.expose().as_bytes())?;
        // Re-enabling also lifts a lockout.
        let mut signon = ctx.vault.store().signon_state(name)?;
        signon.unlock();
        ctx.vault.store().stage_signon(&mut writes, name, &signon)?;
        Reply::new(Response::PasswordReset(PasswordReset {
            name: name.to_string(),
            one_time_password: one_time,
        }))
        .detail("new one-time password issued; TOTP to enrol again")
    };
    Ok(reply
        .writes(writes)
        .subject(format!("user:{name}"))
        .effect(Effect::EndUserSessions(name.to_string())))
}

pub(crate) fn set_role(ctx: &Ctx<'_>, name: &str, role: Role) -> Result<Reply, ServiceError> {
    staff_role(role)?;
    if name == ctx.session.user {
        // 三员分立: no administrator widens their own powers (a refusal, audited so).
        return Err(ServiceError::Denied {
            permission: "another administrator to change one's own role".into(),
        });
    }
    let mut user = find(ctx, name)?;
    if user.role != role {
        keep_an_administrator(ctx, &user)?;
    }
    let old = user.role;
    user.role = role;
    let mut writes = WriteSet::new();
    ctx.vault.stage_user_update(&mut writes, &user)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(format!("user:{name}"))
        .detail(format!("role {old} -> {role}"))
        .effect(Effect::EndUserSessions(name.to_string())))
}

pub(crate) fn reset_password(ctx: &Ctx<'_>, name: &str) -> Result<Reply, ServiceError> {
    let mut user = find(ctx, name)?;
    may_manage(ctx, user.role, false)?;
    if user.name == ctx.session.user {
        return Err(ServiceError::Conflict(text!("msg.users.reset_self")));
    }
    if user.disabled {
        return Err(ServiceError::Conflict(text!(
            "msg.users.disabled",
            name = name
        )));
    }
    let _one_at_a_time = ctx.clinic.signon_names.lock(name);
    let one_time = one_time_password();
    user.must_change_password = true;
    let mut writes = WriteSet::new();
    ctx.vault.stage_user_update(&mut writes, &user)?;
    ctx.vault
        .stage_password(&mut writes, name, one_time.expose().as_bytes())?;
    let mut signon = ctx.vault.store().signon_state(name)?;
    signon.unlock();
    ctx.vault.store().stage_signon(&mut writes, name, &signon)?;
    Ok(Reply::new(Response::PasswordReset(PasswordReset {
        name: name.to_string(),
        one_time_password: one_time,
    }))
    .writes(writes)
    .subject(format!("user:{name}"))
    .effect(Effect::EndUserSessions(name.to_string())))
}

pub(crate) fn reset_totp(ctx: &Ctx<'_>, name: &str) -> Result<Reply, ServiceError> {
    let mut user = find(ctx, name)?;
    may_manage(ctx, user.role, false)?;
    if user.name == ctx.session.user {
        return Err(ServiceError::Conflict(text!("msg.users.reset_self")));
    }
    user.totp_secret = None;
    user.totp_confirmed = false;
    user.recovery_codes.clear();
    let mut writes = WriteSet::new();
    ctx.vault.stage_user_update(&mut writes, &user)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(format!("user:{name}"))
        .detail("TOTP reset: the user enrols again at next sign-in")
        .effect(Effect::EndUserSessions(name.to_string())))
}

pub(crate) fn set_role_permissions(
    ctx: &Ctx<'_>,
    role: Role,
    permissions: BTreeSet<Permission>,
) -> Result<Reply, ServiceError> {
    if role == Role::Admin
        && !(permissions.contains(&Permission::SettingsAdmin)
            && permissions.contains(&Permission::UserAdmin))
    {
        return Err(ServiceError::Conflict(text!("msg.users.admin_keeps")));
    }
    if role == ctx.session.role && !permissions.contains(&Permission::RoleAdmin) {
        return Err(ServiceError::Conflict(text!(
            "msg.users.keeps_role_admin",
            role = role.as_str()
        )));
    }
    let mut settings = (*ctx.clinic.settings()).clone();
    let before = ctx.clinic.roles().permissions(role);
    settings.roles.insert(role, permissions.clone());
    let table = settings.role_table();
    if settings.security.duties() == crate::auth::AdminDuties::Separate
        && let Some((breach, held)) = table.separation_breaches().first()
    {
        return Err(ServiceError::Conflict(text!(
            "msg.users.separation",
            role = breach.as_str(),
            held = held.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
        )));
    }
    // The file as it is now, with this role's line changed: an edit made by hand since
    // the daemon read it is neither lost nor undone.
    let mut in_file = super::settings::Settings::load(ctx.clinic.dir())
        .map_err(|e| ServiceError::Unavailable(text!("msg.settings.unsaved", detail = e)))?;
    in_file.roles.insert(role, permissions.clone());
    in_file
        .save(ctx.clinic.dir())
        .map_err(|e| ServiceError::Unavailable(text!("msg.settings.unsaved", detail = e)))?;
    ctx.clinic
        .set_settings(settings)
        .map_err(|e| ServiceError::Invalid(Text::verbatim(e)))?;
    let mut writes = WriteSet::new();
    let meta = ctx.vault.store().tree(META_TREE)?;
    writes.put(
        &meta,
        super::settings_in_force::ROLES_FINGERPRINT_KEY,
        table.fingerprint().to_vec(),
    );
    let names =
        |set: &BTreeSet<Permission>| set.iter().map(|p| p.name()).collect::<Vec<_>>().join(" ");
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(format!("role:{role}"))
        .detail(format!(
            "was [{}] now [{}]",
            names(&before),
            names(&permissions)
        ))
        .effect(Effect::SetRoles(table)))
}

pub(crate) fn change_password(
    ctx: &Ctx<'_>,
    old: &Secret,
    new: &Secret,
) -> Result<Reply, ServiceError> {
    let name = &ctx.session.user;
    let store = ctx.vault.store();
    store
        .unlock(Unlock::Password {
            user: name,
            password: old.expose().as_bytes(),
        })
        .map_err(|_| ServiceError::SignInFailed)?;
    if old == new {
        return Err(ServiceError::Invalid(text!("msg.users.same_password")));
    }
    check_new_password(new.expose(), name).map_err(ServiceError::Invalid)?;
    let mut user = find(ctx, name)?;
    user.must_change_password = false;
    let mut writes = WriteSet::new();
    ctx.vault.stage_user_update(&mut writes, &user)?;
    ctx.vault
        .stage_password(&mut writes, name, new.expose().as_bytes())?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(format!("user:{name}")))
}

/// Keeps the signed-in user's own language: their desk opens in it from the next
/// sign-in on, wherever they sign in from.
pub(crate) fn set_language(
    ctx: &Ctx<'_>,
    language: Option<crate::i18n::Lang>,
) -> Result<Reply, ServiceError> {
    let name = &ctx.session.user;
    // The sign-on writes this record too (its last step, its last sign-on).
    let _one_at_a_time = ctx.clinic.signon_names.lock(name);
    let mut user = find(ctx, name)?;
    user.language = language;
    let mut writes = WriteSet::new();
    ctx.vault.stage_user_update(&mut writes, &user)?;
    Ok(Reply::new(Response::Done)
        .writes(writes)
        .subject(format!("user:{name}"))
        .detail(format!(
            "language={}",
            language.map(|l| l.code()).unwrap_or("session")
        )))
}
