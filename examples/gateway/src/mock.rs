//! A mock upstream for tests and the load script.
//!
//! It answers every request `200` with a body streamed in three chunks:
//! `{"upstream":"<first path segment>","path":"<path>","deployment":"<x-replica-router-deployment>"}`,
//! so one mock serves many deployments, each configured with its own path
//! prefix (`http://127.0.0.1:9001/a`, `.../b`). A request whose path starts
//! with `/hold/` is answered only after [`Mock::release`] is called
//! ([`Mock::wait_held`] returns once it has arrived), so a
//! test can keep a request in flight across a reload without any timing.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::{Body, DEPLOYMENT_HEADER};

/// A running mock upstream.
#[derive(Debug, Clone)]
pub struct Mock {
    addr: SocketAddr,
    gate: Arc<Semaphore>,
    held: Arc<Semaphore>,
}

impl Mock {
    /// Binds `addr` (use port 0 for a free port) and serves in a new task.
    ///
    /// # Errors
    /// When binding fails.
    pub async fn spawn(addr: SocketAddr) -> std::io::Result<Mock> {
        let listener = TcpListener::bind(addr).await?;
        let mock = Mock {
            addr: listener.local_addr()?,
            gate: Arc::new(Semaphore::new(0)),
            held: Arc::new(Semaphore::new(0)),
        };
        tokio::spawn(mock.clone().serve(listener));
        Ok(mock)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Lets `n` held (`/hold/...`) requests answer.
    pub fn release(&self, n: usize) {
        self.gate.add_permits(n);
    }

    /// Waits until one more `/hold/...` request has arrived and is being
    /// held.
    pub async fn wait_held(&self) {
        if let Ok(permit) = self.held.acquire().await {
            permit.forget();
        }
    }

    async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let mock = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let mock = mock.clone();
                    async move { Ok::<_, Infallible>(mock.answer(request).await) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    async fn answer(&self, request: Request<Incoming>) -> Response<Body> {
        let path = request.uri().path().to_owned();
        let deployment = request
            .headers()
            .get(DEPLOYMENT_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        // Drain the request body before answering.
        let _ = request.into_body().collect().await;
        let upstream = path.trim_start_matches('/').split('/').next().unwrap_or("");
        if upstream == "hold" {
            self.held.add_permits(1);
            if let Ok(permit) = self.gate.acquire().await {
                permit.forget();
            }
        }
        let json =
            serde_json::json!({ "upstream": upstream, "path": path, "deployment": deployment })
                .to_string();
        // Three chunks, so the gateway's streaming is exercised.
        let (a, rest) = json.split_at(json.len() / 3);
        let (b, c) = rest.split_at(rest.len() / 2);
        let chunks = Chunks([a, b, c].map(|p| Bytes::from(p.to_owned())).into());
        Response::new(BodyExt::boxed(chunks))
    }
}

/// A body sent as separate data frames.
struct Chunks(VecDeque<Bytes>);

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = hyper::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
    }
}
