//! How screens and commands reach the service. The in-process client calls `Clinic`
//! directly; a socket client (the daemon) speaks the same `Request`/`Response`.

use std::sync::{Arc, Mutex};

use super::api::{Request, Response, ServiceError, SessionToken};
use super::reply::{self, Reply};
use super::service::{Clinic, Origin};

pub trait Client: Send + Sync {
    /// Sends one request as the holder of `session` (none before signing on).
    fn call(&self, session: Option<&SessionToken>, request: Request) -> Response;

    /// Sends one request and reads its reply as `T`, the type the request gives (see
    /// `reply.rs`); a refusal or failure is the `ServiceError`.
    fn ask<T: Reply>(
        &self,
        session: Option<&SessionToken>,
        request: Request,
    ) -> Result<T, ServiceError>
    where
        Self: Sized,
    {
        reply::check::<T>(&request)?;
        reply::read(self.call(session, request))
    }
}

/// Calls a `Clinic` in this process.
pub struct InProcess {
    clinic: Arc<Clinic>,
    origin: Origin,
}

impl InProcess {
    /// A client of `clinic`; starts the clinic's background re-evaluation.
    pub fn new(clinic: Arc<Clinic>, origin: Origin) -> Self {
        clinic.start_reevaluation_worker();
        Self { clinic, origin }
    }
}

impl Drop for InProcess {
    /// The process may end next: finish recomputing the risks and tags a bulk change
    /// left waiting, so none is lost.
    fn drop(&mut self) {
        self.clinic.settle();
    }
}

impl Client for InProcess {
    fn call(&self, session: Option<&SessionToken>, request: Request) -> Response {
        self.clinic.handle(session, request, &self.origin)
    }
}

/// A client that remembers the session of its last sign-on: what a terminal holds.
pub struct Signed<C: Client> {
    client: C,
    session: Mutex<Option<SessionToken>>,
}

impl<C: Client> Signed<C> {
    pub fn new(client: C) -> Self {
        Self {
            client,
            session: Mutex::new(None),
        }
    }

    pub fn call(&self, request: Request) -> Response {
        let token = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let logout = matches!(request, Request::Logout | Request::LogoutIdle { .. });
        let response = self.client.call(token.as_ref(), request);
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        match &response {
            Response::SignedIn(signed) => *session = Some(signed.token.clone()),
            Response::Error(super::api::ServiceError::SessionExpired) => *session = None,
            _ if logout => *session = None,
            _ => {}
        }
        response
    }

    /// `call`, with the reply read as `T` (see `Client::ask`).
    pub fn ask<T: Reply>(&self, request: Request) -> Result<T, ServiceError> {
        reply::check::<T>(&request)?;
        reply::read(self.call(request))
    }

    pub fn is_signed_in(&self) -> bool {
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
}
