//! Typed replies: a caller asks for the type it expects (`Client::ask::<PatientView>`)
//! and gets that value or a `ServiceError`, never a `Response` to match with an
//! "unexpected reply" arm of its own.
//!
//! Each kind of `Response` that carries a value gives its type (the impls are made
//! with the enum, in `response.rs`); `Done` gives `()`; a request that may answer in
//! two ways has an enum here over both. Before a request is sent, the type is checked
//! against the replies its row in `operations.rs` declares: asking for a type the
//! request never gives is a programming error, refused before anything is sent.

use super::api::{PasswordReset, Registered, Request, Response, ServiceError, SignedIn};
use super::desk::name_index::PatientRow;
use super::reply_types::TotpEnrolment;
use crate::text;

/// A value a reply carries: what `Client::ask` returns.
pub trait Reply: Sized {
    /// The `Response` kinds (as `Response::kind` names them) this type is read from.
    const KINDS: &'static [&'static str];

    /// The value, or the response given back when it is another kind.
    // The response handed back is the one the caller already held, moved, not copied.
    #[allow(clippy::result_large_err)]
    fn read(response: Response) -> Result<Self, Response>;
}

impl Reply for () {
    const KINDS: &'static [&'static str] = &["Done"];

    fn read(response: Response) -> Result<Self, Response> {
        match response {
            Response::Done => Ok(()),
            other => Err(other),
        }
    }
}

/// A sign-in with a password: signed in, or the authenticator must be enrolled first.
#[derive(Debug)]
pub enum SignOn {
    SignedIn(SignedIn),
    Enrol(TotpEnrolment),
}

impl Reply for SignOn {
    const KINDS: &'static [&'static str] = &["SignedIn", "TotpEnrolment"];

    fn read(response: Response) -> Result<Self, Response> {
        match response {
            Response::SignedIn(signed) => Ok(SignOn::SignedIn(signed)),
            Response::TotpEnrolment(enrol) => Ok(SignOn::Enrol(enrol)),
            other => Err(other),
        }
    }
}

/// A registration: the patient and their card, or the patients who already match.
#[derive(Debug)]
pub enum Registration {
    Registered(Registered),
    /// Refused: open one of these instead.
    Duplicates(Vec<PatientRow>),
}

impl Reply for Registration {
    const KINDS: &'static [&'static str] = &["Registered", "Duplicates"];

    fn read(response: Response) -> Result<Self, Response> {
        match response {
            Response::Registered(registered) => Ok(Registration::Registered(registered)),
            Response::Duplicates(rows) => Ok(Registration::Duplicates(rows)),
            other => Err(other),
        }
    }
}

/// A change to a user's account that may leave them a new one-time password (their
/// password key slot was removed while they were disabled).
#[derive(Debug)]
pub enum UserChange {
    Done,
    PasswordReset(PasswordReset),
}

impl Reply for UserChange {
    const KINDS: &'static [&'static str] = &["Done", "PasswordReset"];

    fn read(response: Response) -> Result<Self, Response> {
        match response {
            Response::Done => Ok(UserChange::Done),
            Response::PasswordReset(reset) => Ok(UserChange::PasswordReset(reset)),
            other => Err(other),
        }
    }
}

/// Refuses a request asked for a type that cannot hold every reply its row declares
/// (then some reply it gives could not be read): a mistake in caredesk itself.
pub fn mismatch<T: Reply>(request: &Request) -> Option<ServiceError> {
    let op = request.operation();
    if op.replies.iter().all(|kind| T::KINDS.contains(kind)) {
        return None;
    }
    Some(ServiceError::Invalid(text!(
        "msg.reply.wrong_type",
        operation = op.name,
        asked = std::any::type_name::<T>(),
        answers = op.replies.join(" / "),
    )))
}

/// The reply as `T`: an error as itself, another kind as the one "unexpected reply"
/// error (a terminal and a server of different versions).
pub fn read<T: Reply>(response: Response) -> Result<T, ServiceError> {
    match response {
        Response::Error(error) => Err(error),
        other => T::read(other).map_err(|other| other.unexpected()),
    }
}

/// Checks the pairing of a request and the type asked for before it is sent: a wrong
/// pairing stops a debug build at once and is an error otherwise.
pub(crate) fn check<T: Reply>(request: &Request) -> Result<(), ServiceError> {
    match mismatch::<T>(request) {
        None => Ok(()),
        Some(error) => {
            debug_assert!(false, "{error}");
            Err(error)
        }
    }
}

impl super::service::Clinic {
    /// `handle`, with the reply read as `T`: for the daemon's own requests (its key
    /// file's sign-in, the scheduler), which call the service without a client.
    pub fn ask<T: Reply>(
        &self,
        token: Option<&super::api::SessionToken>,
        request: Request,
        origin: &super::service::Origin,
    ) -> Result<T, ServiceError> {
        check::<T>(&request)?;
        read(self.handle(token, request, origin))
    }
}

#[cfg(test)]
mod tests {
    use super::super::api::{Me, PatientView, SearchResults, UserSummary};
    use super::*;
    use crate::clinic::wire::{AuditChainPage, AuditEntry, KeyRotation};

    /// The kinds of every `Reply` impl, by type name: the generated ones and those here.
    fn every_reply() -> Vec<(&'static str, &'static [&'static str])> {
        fn of<T: Reply>() -> (&'static str, &'static [&'static str]) {
            (std::any::type_name::<T>(), T::KINDS)
        }
        vec![
            of::<()>(),
            of::<SignOn>(),
            of::<Registration>(),
            of::<UserChange>(),
            of::<SignedIn>(),
            of::<Me>(),
            of::<PatientView>(),
            of::<SearchResults>(),
            of::<Vec<UserSummary>>(),
            of::<Vec<u8>>(),
            of::<KeyRotation>(),
            of::<Vec<AuditEntry>>(),
            of::<Box<AuditChainPage>>(),
        ]
    }

    #[test]
    fn every_reply_type_reads_real_response_kinds() {
        for (name, kinds) in every_reply() {
            assert!(!kinds.is_empty(), "{name}");
            for kind in kinds {
                assert!(
                    Response::KINDS.contains(kind),
                    "{name} reads {kind}, which is no kind of Response"
                );
            }
        }
        // And every kind a request may give is read by some type.
        let readable: Vec<&str> = every_reply()
            .iter()
            .flat_map(|(_, kinds)| kinds.iter().copied())
            .collect();
        for kind in [
            "Done",
            "SignedIn",
            "TotpEnrolment",
            "Registered",
            "Duplicates",
        ] {
            assert!(readable.contains(&kind), "{kind}");
        }
    }

    #[test]
    fn every_declared_reply_is_a_response_kind() {
        for op in super::super::operations::OPERATIONS {
            for kind in op.replies {
                assert!(Response::KINDS.contains(kind), "{}: {kind}", op.name);
            }
        }
    }

    #[test]
    fn a_request_asked_for_the_wrong_type_is_refused_before_it_is_sent() {
        // A patient search answers SearchResults, never a PatientView.
        let search = Request::PatientSearch {
            query: "wang".into(),
            limit: 5,
        };
        assert!(mismatch::<SearchResults>(&search).is_none());
        let wrong = mismatch::<PatientView>(&search).expect("a wrong pairing is refused");
        let text = wrong.to_string();
        assert!(
            text.contains("patient_search") && text.contains("PatientView"),
            "{text}"
        );
        // A type that holds only one of two possible replies is refused too: the
        // other would come back as an "unexpected reply".
        let enable = Request::UserEnable { name: "li".into() };
        assert!(mismatch::<UserChange>(&enable).is_none());
        assert!(mismatch::<()>(&enable).is_some());
        assert!(mismatch::<()>(&Request::Logout).is_none());
    }

    /// A client that fails the test if anything reaches it.
    struct NeverSent;

    impl crate::clinic::Client for NeverSent {
        fn call(&self, _: Option<&crate::clinic::SessionToken>, _: Request) -> Response {
            panic!("a request asked for the wrong type was sent")
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "asked patient_search for a reply of type")]
    fn asking_for_the_wrong_type_stops_a_debug_build_before_sending() {
        use crate::clinic::Client;
        let search = Request::PatientSearch {
            query: "wang".into(),
            limit: 5,
        };
        let _ = NeverSent.ask::<PatientView>(None, search);
    }

    #[test]
    fn a_reply_reads_as_its_type_an_error_as_itself_and_another_kind_as_unexpected() {
        assert_eq!(read::<()>(Response::Done), Ok(()));
        let gone = ServiceError::NotFound("patient".into());
        assert_eq!(read::<()>(Response::Error(gone.clone())), Err(gone));
        let other = read::<()>(Response::Patients(Vec::new())).unwrap_err();
        assert!(
            other
                .to_string()
                .contains("update caredesk so the terminal and the server are the same version")
                && other.to_string().contains("Patients"),
            "{other}"
        );
        let two = read::<UserChange>(Response::Done).unwrap();
        assert!(matches!(two, UserChange::Done));
    }
}
