//! A hardware key through PKCS#11 (an HSM, a 密码机, a USB key; SoftHSM in the tests).
//!
//! A token key slot keeps the data key as every slot does, wrapped under a secret; that
//! secret is stored only encrypted by an AES-256 key that lives in the token, is made
//! there, is sensitive and can never leave it (`CKA_SENSITIVE`, not `CKA_EXTRACTABLE`).
//! Opening the slot therefore needs the token and its user PIN: a copy of the disk, or
//! of every password, opens nothing without them. The token does the encryption
//! (`CKM_AES_GCM`, a fresh 96-bit IV each time, the slot's label as associated data).
//!
//! The module is a shared library the operating system's administrator names on the
//! server's command line (`serve --pkcs11-module`, in the root-owned unit file), never in
//! the data directory the service account can write: a library the account could
//! replace would run inside the daemon and see the PIN. It must be root's and writable
//! by no one else, as must its folder.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use zeroize::Zeroizing;

use super::secret::random_array;

/// IV bytes before the token's ciphertext.
const IV_LEN: usize = 12;

static MODULE: OnceLock<PathBuf> = OnceLock::new();

/// Names this process's PKCS#11 library, once, after checking it is root's own.
pub fn set_module(path: &Path) -> Result<(), TokenError> {
    let refuse = |why: &str| TokenError::Module(format!("{}: {why}", path.display()));
    if !path.is_absolute() {
        return Err(refuse("give its absolute path"));
    }
    let file = std::fs::metadata(path).map_err(|e| refuse(&e.to_string()))?;
    let folder = path
        .parent()
        .and_then(|p| std::fs::metadata(p).ok())
        .ok_or_else(|| refuse("its folder cannot be read"))?;
    for (what, meta) in [("it", &file), ("its folder", &folder)] {
        if meta.uid() != 0 || meta.mode() & 0o022 != 0 {
            return Err(refuse(&format!(
                "{what} must belong to root and be writable by no one else"
            )));
        }
    }
    match MODULE.set(path.to_path_buf()) {
        Ok(()) => Ok(()),
        Err(_) if module() == Some(path) => Ok(()),
        Err(_) => Err(refuse("another module is in use in this process")),
    }
}

/// The library `set_module` named, if any.
pub fn module() -> Option<&'static Path> {
    MODULE.get().map(PathBuf::as_path)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("cannot use the PKCS#11 module {0}")]
    Module(String),
    #[error("no token labelled {0:?} is present: plug it in, or check its label")]
    NoToken(String),
    #[error("the token's PIN is wrong (the token counts wrong PINs and may lock)")]
    WrongPin,
    #[error("the token has no key labelled {0:?}")]
    NoKey(String),
    #[error("the token refused: {0}")]
    Refused(String),
    #[error("what the token holds for this slot does not open with its key")]
    WrongKey,
}

fn refused(e: cryptoki::error::Error) -> TokenError {
    TokenError::Refused(e.to_string())
}

/// A signed-in session on one token, with the key it wraps slot secrets under.
pub struct TokenKey {
    // The session must close before the library is finalised: fields drop in order.
    session: Session,
    key: ObjectHandle,
    _module: Pkcs11,
}

impl TokenKey {
    /// Signs in to the token labelled `token` with `pin` and finds the AES key labelled
    /// `key`; makes it (in the token, never extractable) when `create` and it is missing.
    pub fn open(
        module: &Path,
        token: &str,
        pin: &str,
        key: &str,
        create: bool,
    ) -> Result<TokenKey, TokenError> {
        let library = Pkcs11::new(module)
            .map_err(|e| TokenError::Module(format!("{}: {e}", module.display())))?;
        library
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|e| TokenError::Module(format!("{}: {e}", module.display())))?;
        let slot = library
            .get_slots_with_token()
            .map_err(refused)?
            .into_iter()
            .find(|slot| {
                library
                    .get_token_info(*slot)
                    .is_ok_and(|info| info.label().trim() == token)
            })
            .ok_or_else(|| TokenError::NoToken(token.to_string()))?;
        let session = library.open_rw_session(slot).map_err(refused)?;
        let pin = cryptoki::types::AuthPin::from(pin.to_string());
        session
            .login(UserType::User, Some(&pin))
            .map_err(|e| match e {
                cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::PinIncorrect, _)
                | cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::PinLenRange, _) => {
                    TokenError::WrongPin
                }
                other => refused(other),
            })?;
        let found = session
            .find_objects(&[
                Attribute::Class(ObjectClass::SECRET_KEY),
                Attribute::KeyType(KeyType::AES),
                Attribute::Label(key.as_bytes().to_vec()),
            ])
            .map_err(refused)?;
        let handle = match (found.first(), create) {
            (Some(handle), _) => {
                // A key that can leave the token protects nothing a token should.
                let attributes = session
                    .get_attributes(
                        *handle,
                        &[AttributeType::Sensitive, AttributeType::Extractable],
                    )
                    .map_err(refused)?;
                let kept = attributes.contains(&Attribute::Sensitive(true))
                    && attributes.contains(&Attribute::Extractable(false));
                if !kept {
                    return Err(TokenError::Refused(format!(
                        "its key {key:?} can leave the token: make a new one that cannot"
                    )));
                }
                *handle
            }
            (None, false) => return Err(TokenError::NoKey(key.to_string())),
            (None, true) => session
                .generate_key(
                    &Mechanism::AesKeyGen,
                    &[
                        Attribute::Token(true),
                        Attribute::Private(true),
                        Attribute::Sensitive(true),
                        Attribute::Extractable(false),
                        Attribute::Encrypt(true),
                        Attribute::Decrypt(true),
                        Attribute::ValueLen(32.into()),
                        Attribute::Label(key.as_bytes().to_vec()),
                    ],
                )
                .map_err(refused)?,
        };
        Ok(TokenKey {
            session,
            key: handle,
            _module: library,
        })
    }

    /// Encrypts `plain` in the token: `[IV][ciphertext and tag]`.
    pub fn wrap(&self, plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, TokenError> {
        let mut iv: [u8; IV_LEN] = random_array();
        let params = GcmParams::new(&mut iv, aad, 128.into()).map_err(refused)?;
        let sealed = self
            .session
            .encrypt(&Mechanism::AesGcm(params), self.key, plain)
            .map_err(refused)?;
        let mut out = iv.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what `wrap` made, in the token.
    pub fn unwrap(&self, wrapped: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, TokenError> {
        if wrapped.len() < IV_LEN + 16 {
            return Err(TokenError::WrongKey);
        }
        let mut iv = [0u8; IV_LEN];
        iv.copy_from_slice(&wrapped[..IV_LEN]);
        let params = GcmParams::new(&mut iv, aad, 128.into()).map_err(refused)?;
        self.session
            .decrypt(&Mechanism::AesGcm(params), self.key, &wrapped[IV_LEN..])
            .map(Zeroizing::new)
            .map_err(|_| TokenError::WrongKey)
    }
}
