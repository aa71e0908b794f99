//! An example HTTP inference gateway on replica-router (issue 20).
//!
//! - `POST /inference/v1/chat/completions` and `POST /inference/v1/completions`:
//!   the JSON body's `model` field is routed by
//!   [`Registry::route_request_with`] as the caller's account, by the
//!   router's strategy (session key from the `x-session-key` header,
//!   round-robin cursor held here), and the request is forwarded to the
//!   chosen deployment's upstream; the response streams back as it comes.
//! - Any request whose `Host` is a direct-route handle
//!   (`{account}-{deployment}.{region}.direct...`) is authorized by
//!   [`DirectRoute::authorize`](replica_router::DirectRoute::authorize) and
//!   forwarded to that deployment's upstream, path unchanged.
//! - `GET /healthz`: `{"generation": n}`, the number of the loaded snapshot.
//!
//! **Caller account.** Inference requests carry `Authorization: Bearer <key>`
//! and the configuration maps each API key to its account (a header naming
//! the account would let any caller claim any account). A missing or
//! malformed header, or an unknown key, is 401 `UNAUTHENTICATED`.
//!
//! **Errors** are JSON, `{"error": {"code": ..., "message": ...}}`, with the
//! core error's [`code`](replica_router::Error::code) and message and the
//! status from its [`kind`](replica_router::Error::kind): validation 400,
//! unauthenticated 401, forbidden and permission denied 403, not found 404,
//! no capacity 503. The gateway's own errors use the same shape with codes
//! `INVALID_BODY` (400), `METHOD_NOT_ALLOWED` (405), `BODY_TOO_LARGE` (413),
//! `NO_UPSTREAM` and `UPSTREAM_UNAVAILABLE` (502).
//!
//! **Reloads** ([`Gateway::reload`], on SIGHUP or file change in the binary)
//! build a complete new [`State`] and publish it by swapping one
//! `Arc<State>`; a request holds the `Arc` it started with, so nothing in
//! flight is dropped or sees half a change, and a failed reload keeps the old
//! state. Routing itself takes `&Registry` only.
//!
//! **In-flight counts.** The gateway counts the requests it has forwarded
//! to each deployment and not yet finished, in one
//! [`LoadTracker`] over every deployment with an upstream, and routes
//! `even-load` routers (SPEC R8) by those counts: a request counts from the
//! moment it is routed until its response body has been sent, or the
//! request fails or is dropped (client gone), whichever comes first (a guard
//! in the response body). A reload carries the counts over to the new set
//! of deployments, so requests in flight across it still count and are
//! still subtracted once. An `even-load` router that lists a deployment
//! without an upstream answers 404 `NOT_FOUND` (the tracker does not cover
//! it), as core does for a tracker that misses one.
//!
//! **Generator.** One ChaCha8 generator seeded from the configuration's
//! `seed`, and the round-robin cursors, sit behind one mutex held only for
//! the route itself (tens of nanoseconds): requests sent one after another
//! get a reproducible sequence of picks. A gateway on many cores that does
//! not need that could give each worker thread its own stream instead
//! (`Seed::rng_stream`), as `core/tests/r8_threads.rs` does.

pub mod config;
pub mod demo;
pub mod mock;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use replica_router::{
    ChaCha8Rng, Error, ErrorKind, LoadTracker, Registry, ResourceName, RouteRequest, Seed,
};
use tokio::net::TcpListener;

pub use config::{Config, ConfigError, State};

/// The response body: an upstream's body streamed through, or a small
/// buffered one.
pub type Body = BoxBody<Bytes, hyper::Error>;

/// The largest request body read (the `model` field is in it).
pub const MAX_BODY_BYTES: usize = 16 << 20;

/// Header carrying the session key for routers with session affinity.
pub const SESSION_HEADER: &str = "x-session-key";

/// Header added to each forwarded request and its response: the chosen
/// deployment's full name.
pub const DEPLOYMENT_HEADER: &str = "x-replica-router-deployment";

/// The generator and the round-robin cursors, locked together for one route.
#[derive(Debug)]
struct Picker {
    rng: ChaCha8Rng,
    /// Next cursor per (caller account, model string) of a round-robin
    /// router; only successful round-robin routes add an entry.
    cursors: HashMap<(String, String), u64>,
}

/// The gateway: the published state, the generator, and the upstream client.
#[derive(Debug)]
pub struct Gateway {
    config_path: PathBuf,
    state: RwLock<Arc<State>>,
    generation: AtomicU64,
    picker: Mutex<Picker>,
    /// In-flight requests per deployment with an upstream (see the module
    /// notes), replaced with the counts carried over on reload. Shared with
    /// the [`InFlight`] guards, which may outlive a request's handler.
    load: Arc<RwLock<Arc<LoadTracker>>>,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// One forwarded request counted in flight: dropping it (response sent,
/// request failed, or client gone) counts the request as finished, on the
/// tracker published at that moment.
#[derive(Debug)]
struct InFlight {
    load: Arc<RwLock<Arc<LoadTracker>>>,
    deployment: String,
}

impl InFlight {
    /// Counts one more request in flight to `deployment` (when the tracker
    /// covers it; the guard then subtracts it again).
    fn start(load: &Arc<RwLock<Arc<LoadTracker>>>, deployment: &ResourceName) -> InFlight {
        let deployment = deployment.to_string();
        let tracker = load.read().unwrap_or_else(PoisonError::into_inner);
        // A deployment without an upstream is not tracked; forwarding then
        // fails with `NO_UPSTREAM`, and the guard's finish is a no-op too.
        let _ = tracker.started(&deployment);
        drop(tracker);
        InFlight {
            load: Arc::clone(load),
            deployment,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let tracker = self.load.read().unwrap_or_else(PoisonError::into_inner);
        // Not covered any more (removed by a reload): nothing to subtract.
        let _ = tracker.finished(&self.deployment);
    }
}

/// A tracker over the deployments of `state` that have an upstream, every
/// count taken from `old` where it covers the deployment (0 otherwise).
fn tracker_for(state: &State, old: Option<&LoadTracker>) -> LoadTracker {
    let mut deployments: Vec<ResourceName> = state.upstreams.keys().cloned().collect();
    deployments.sort_unstable();
    let tracker = LoadTracker::new(deployments);
    if let Some(old) = old {
        for d in tracker.deployments() {
            let name = d.to_string();
            if let Ok(n) = old.in_flight(&name) {
                let _ = tracker.set(&name, n);
            }
        }
    }
    tracker
}

impl Gateway {
    /// Loads the configuration at `config_path` and its snapshot.
    ///
    /// # Errors
    /// As [`Config::read`] and [`Config::load`].
    pub fn load(config_path: impl Into<PathBuf>) -> Result<Arc<Gateway>, ConfigError> {
        let config_path = config_path.into();
        let config = Config::read(&config_path)?;
        let state = config.load()?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let load = Arc::new(RwLock::new(Arc::new(tracker_for(&state, None))));
        Ok(Arc::new(Gateway {
            load,
            config_path,
            state: RwLock::new(Arc::new(state)),
            generation: AtomicU64::new(1),
            picker: Mutex::new(Picker {
                rng: Seed::from_u64(config.seed).rng(),
                cursors: HashMap::new(),
            }),
            client: Client::builder(TokioExecutor::new()).build(connector),
        }))
    }

    /// The configuration file this gateway reloads.
    pub fn config_path(&self) -> &std::path::Path {
        &self.config_path
    }

    /// The number of the published state: 1 after [`Gateway::load`], one
    /// more after each successful [`Gateway::reload`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The published state (requests in flight keep the one they took).
    pub fn state(&self) -> Arc<State> {
        Arc::clone(&self.state.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Re-reads the configuration and snapshot and publishes them at once.
    /// The generator and round-robin cursors carry over (a cursor continues
    /// at `cursor % new_total`).
    ///
    /// # Errors
    /// As [`Gateway::load`]; the current state stays published.
    pub fn reload(&self) -> Result<u64, ConfigError> {
        let state = Arc::new(Config::read(&self.config_path)?.load()?);
        {
            // Under the write lock no guard subtracts from the old tracker
            // between the copy and the swap, so no finish is lost.
            let mut load = self.load.write().unwrap_or_else(PoisonError::into_inner);
            *load = Arc::new(tracker_for(&state, Some(&load)));
        }
        let mut published = self.state.write().unwrap_or_else(PoisonError::into_inner);
        *published = state;
        Ok(self.generation.fetch_add(1, Ordering::SeqCst) + 1)
    }

    /// The requests to `deployment` (a full name) forwarded and not yet
    /// finished; `None` for a deployment without an upstream.
    pub fn in_flight(&self, deployment: &str) -> Option<u64> {
        let tracker = self.load.read().unwrap_or_else(PoisonError::into_inner);
        tracker.in_flight(deployment).ok()
    }

    /// Serves HTTP/1.1 on `listener` until the task is dropped.
    ///
    /// # Errors
    /// When accepting a connection fails.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let gateway = Arc::clone(&self);
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let gateway = Arc::clone(&gateway);
                    async move { Ok::<_, Infallible>(gateway.handle(request).await) }
                });
                // A connection error (client went away) ends that connection only.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    /// Binds `addr` and serves in a new task; returns the bound address.
    ///
    /// # Errors
    /// When binding fails.
    pub async fn spawn(self: Arc<Self>, addr: SocketAddr) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        tokio::spawn(self.serve(listener));
        Ok(local)
    }

    /// Answers one request.
    pub async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        match self.dispatch(request).await {
            Ok(response) => response,
            Err(error) => error.into_response(),
        }
    }

    async fn dispatch(&self, request: Request<Incoming>) -> Result<Response<Body>, HttpError> {
        let state = self.state();
        if let Some(target) = host(&request).and_then(|h| state.direct.get(&h)) {
            let auth = header_str(request.headers(), header::AUTHORIZATION.as_str());
            target.route.authorize(auth)?;
            let deployment = target.deployment.to_string();
            let account = target.deployment.account().as_str();
            // Core checks the deployment's capacity (0 replicas: 503); a
            // deployment route draws nothing.
            let routed = self.route(&state.registry, &deployment, account, None)?;
            let (parts, body) = request.into_parts();
            let body = read_body(body).await?;
            return self.forward(&state, routed, parts, body).await;
        }
        let path = request.uri().path();
        if path == "/healthz" {
            return Ok(json_response(
                StatusCode::OK,
                &serde_json::json!({ "generation": self.generation() }),
            ));
        }
        if path != "/inference/v1/chat/completions" && path != "/inference/v1/completions" {
            return Err(HttpError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("no route for path `{path}`"),
            ));
        }
        if request.method() != Method::POST {
            return Err(HttpError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "use POST".to_owned(),
            ));
        }
        let caller = caller_account(&state, request.headers())?.to_owned();
        let session_key = header_str(request.headers(), SESSION_HEADER).map(str::to_owned);
        let (parts, body) = request.into_parts();
        let body = read_body(body).await?;
        let model = model_field(&body)?;
        let routed = self.route(&state.registry, &model, &caller, session_key.as_deref())?;
        self.forward(&state, routed, parts, body).await
    }

    /// Routes `model` for `caller` with the shared generator, cursors and
    /// in-flight counts, and counts the request in flight to the chosen
    /// deployment (under the same lock, so the next route sees it).
    fn route(
        &self,
        registry: &Registry,
        model: &str,
        caller: &str,
        session_key: Option<&str>,
    ) -> Result<(ResourceName, InFlight), Error> {
        let load = Arc::clone(&self.load.read().unwrap_or_else(PoisonError::into_inner));
        let mut picker = self.picker.lock().unwrap_or_else(PoisonError::into_inner);
        let picker = &mut *picker;
        let key = (caller.to_owned(), model.to_owned());
        let mut request = RouteRequest::new(model, caller).load(&load);
        request.session_key = session_key;
        request.cursor = Some(picker.cursors.get(&key).copied().unwrap_or(0));
        let decision = registry.route_request_with(&request, &mut picker.rng)?;
        if let Some(next) = decision.next_cursor {
            picker.cursors.insert(key, next);
        }
        let guard = InFlight::start(&self.load, decision.deployment);
        Ok((decision.deployment.clone(), guard))
    }

    async fn forward(
        &self,
        state: &State,
        (deployment, guard): (ResourceName, InFlight),
        parts: hyper::http::request::Parts,
        body: Bytes,
    ) -> Result<Response<Body>, HttpError> {
        let deployment = &deployment;
        let base = state.upstreams.get(deployment).ok_or_else(|| {
            HttpError::new(
                StatusCode::BAD_GATEWAY,
                "NO_UPSTREAM",
                format!("no upstream is configured for {deployment}"),
            )
        })?;
        let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let uri: Uri = format!("{base}{path}").parse().map_err(|e| {
            HttpError::new(
                StatusCode::BAD_GATEWAY,
                "NO_UPSTREAM",
                format!("bad upstream URL: {e}"),
            )
        })?;
        let mut upstream = Request::builder().method(parts.method).uri(uri);
        if let Some(headers) = upstream.headers_mut() {
            copy_end_to_end(&parts.headers, headers);
            headers.remove(header::HOST);
            headers.remove(header::AUTHORIZATION);
            headers.remove(header::CONTENT_LENGTH);
            if let Ok(value) = HeaderValue::from_str(&deployment.to_string()) {
                headers.insert(HeaderName::from_static(DEPLOYMENT_HEADER), value.clone());
            }
        }
        let upstream = upstream
            .body(Full::new(body))
            .map_err(|e| HttpError::new(StatusCode::BAD_GATEWAY, "NO_UPSTREAM", e.to_string()))?;
        let response = self.client.request(upstream).await.map_err(|e| {
            HttpError::new(
                StatusCode::BAD_GATEWAY,
                "UPSTREAM_UNAVAILABLE",
                format!("upstream of {deployment}: {e}"),
            )
        })?;
        let (parts, body) = response.into_parts();
        // The guard lives in the body: the request counts as finished when
        // the body is dropped, sent whole or not.
        let body = body.map_frame(move |frame| {
            let _counted = &guard;
            frame
        });
        let mut response = Response::new(body.boxed());
        *response.status_mut() = parts.status;
        copy_end_to_end(&parts.headers, response.headers_mut());
        if let Ok(value) = HeaderValue::from_str(&deployment.to_string()) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(DEPLOYMENT_HEADER), value);
        }
        Ok(response)
    }
}

/// An error answered as `{"error": {"code", "message"}}`.
#[derive(Debug)]
pub struct HttpError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl HttpError {
    fn new(status: StatusCode, code: &'static str, message: String) -> HttpError {
        HttpError {
            status,
            code,
            message,
        }
    }

    fn into_response(self) -> Response<Body> {
        let mut response = json_response(
            self.status,
            &serde_json::json!({ "error": { "code": self.code, "message": self.message } }),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The HTTP status of a core error, by its kind.
pub fn status_of(error: &Error) -> StatusCode {
    match error.kind() {
        ErrorKind::Validation => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::PermissionDenied => StatusCode::FORBIDDEN,
        ErrorKind::NoCapacity => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Auth => match error {
            Error::Forbidden => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        },
        ErrorKind::Conflict => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<Error> for HttpError {
    fn from(error: Error) -> HttpError {
        HttpError::new(status_of(&error), error.code(), error.to_string())
    }
}

fn json_response(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let mut response = Response::new(
        Full::new(Bytes::from(value.to_string()))
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The `Host` header (or the URI's authority) without its port, lower case.
fn host(request: &Request<Incoming>) -> Option<String> {
    let host =
        header_str(request.headers(), header::HOST.as_str()).or_else(|| request.uri().host())?;
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    Some(host.to_ascii_lowercase())
}

/// The caller's account from `Authorization: Bearer <key>` and the API-key
/// map (scheme in any case, surrounding whitespace ignored, as for direct
/// routes). Answered 401 `UNAUTHENTICATED`, as core's error of that code.
fn caller_account<'a>(state: &'a State, headers: &HeaderMap) -> Result<&'a str, HttpError> {
    let unauthenticated = |why: &str| {
        HttpError::new(
            StatusCode::UNAUTHORIZED,
            Error::Unauthenticated { reason: "" }.code(),
            format!("unauthenticated: {why}; send 'Authorization: Bearer <API key>'"),
        )
    };
    let header = header_str(headers, header::AUTHORIZATION.as_str())
        .ok_or_else(|| unauthenticated("missing Authorization header"))?;
    let (scheme, key) = header
        .trim()
        .split_once(' ')
        .ok_or_else(|| unauthenticated("not the Bearer scheme"))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthenticated("not the Bearer scheme"));
    }
    state
        .api_keys
        .get(key.trim())
        .map(String::as_str)
        .ok_or_else(|| unauthenticated("unknown API key"))
}

async fn read_body(body: Incoming) -> Result<Bytes, HttpError> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BODY_TOO_LARGE",
            format!("the request body exceeds {MAX_BODY_BYTES} bytes"),
        )),
        Err(e) => Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
            format!("cannot read the request body: {e}"),
        )),
    }
}

/// The JSON body's `model` string.
fn model_field(body: &[u8]) -> Result<String, HttpError> {
    let invalid =
        |message: String| HttpError::new(StatusCode::BAD_REQUEST, "INVALID_BODY", message);
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| invalid(format!("the body is not JSON: {e}")))?;
    match value.get("model") {
        Some(serde_json::Value::String(model)) => Ok(model.clone()),
        Some(_) => Err(invalid("`model` must be a string".to_owned())),
        None => Err(invalid("the body has no `model` field".to_owned())),
    }
}

/// Copies headers except the hop-by-hop ones (RFC 9110 7.6.1).
fn copy_end_to_end(from: &HeaderMap, to: &mut HeaderMap) {
    const HOP_BY_HOP: [&str; 8] = [
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ];
    for (name, value) in from {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            to.append(name.clone(), value.clone());
        }
    }
}
