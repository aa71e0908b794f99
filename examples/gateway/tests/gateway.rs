//! The gateway end to end (issue 20, item 4): an in-process mock upstream and
//! gateway on free 127.0.0.1 ports, real HTTP round trips. Nothing waits on a
//! clock: counts are exact (round robin) or from a fixed seed (chi-square),
//! and the in-flight reload test waits on the mock's own signal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use gateway::Gateway;
use gateway::mock::Mock;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use replica_router::{DeploymentSpec, Registry, RouterSpec, Strategy};
use serde_json::{Value, json};

const HANDLE: &str = "my-account-abcd1234.us-arizona-1.direct.fireworks.ai";

/// The test registry: `a` (3 replicas) and `b` (2) behind routers of each
/// strategy, an empty router, a direct-routed deployment, and another
/// account with a private router.
fn registry(b_replicas: u32) -> Registry {
    let mut reg = Registry::new("other-account", 7).unwrap();
    reg.create_deployment(DeploymentSpec::new("llama").id("o-dep").replicas(1, 1))
        .unwrap();
    reg.create_router(RouterSpec::new(["o-dep"]).id("private"))
        .unwrap();
    reg.set_account("my-account").unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama")
            .id("deployment-a")
            .replicas(3, 3),
    )
    .unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama")
            .id("deployment-b")
            .replicas(b_replicas, b_replicas),
    )
    .unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama")
            .id("deployment-z")
            .replicas(0, 0),
    )
    .unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama")
            .id("deployment-h")
            .replicas(1, 1),
    )
    .unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama")
            .id("abcd1234")
            .region("US_ARIZONA_1")
            .direct_route(["myDirectKey1"]),
    )
    .unwrap();
    let ab = ["deployment-a", "deployment-b"];
    reg.create_router(
        RouterSpec::new(ab)
            .id("rr")
            .strategy(Strategy::WeightedRoundRobin),
    )
    .unwrap();
    reg.create_router(RouterSpec::new(ab).id("wr")).unwrap();
    reg.create_router(RouterSpec::new(ab).id("sticky").session_affinity(true))
        .unwrap();
    reg.create_router(RouterSpec::new(["deployment-z"]).id("empty"))
        .unwrap();
    reg.create_router(RouterSpec::new(["deployment-h"]).id("held"))
        .unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama")
            .id("deployment-f")
            .replicas(1, 1),
    )
    .unwrap();
    reg.create_router(
        RouterSpec::new(["deployment-h", "deployment-f"])
            .id("even")
            .strategy(Strategy::EvenLoad),
    )
    .unwrap();
    reg
}

static DIRS: AtomicU64 = AtomicU64::new(0);

/// A fresh folder for one test's configuration and snapshot.
fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gateway-test-{}-{}",
        std::process::id(),
        DIRS.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_config(dir: &Path, mock: SocketAddr, reg: &Registry) -> PathBuf {
    std::fs::write(dir.join("registry.json"), reg.to_json()).unwrap();
    let up = |prefix: &str| format!("http://{mock}/{prefix}");
    let config = json!({
        "snapshot": "registry.json",
        "seed": 42,
        "api_keys": { "sk-my": "my-account", "sk-other": "other-account" },
        "upstreams": {
            "accounts/my-account/deployments/deployment-a": up("a"),
            "accounts/my-account/deployments/deployment-b": up("b"),
            "accounts/my-account/deployments/deployment-z": up("z"),
            "accounts/my-account/deployments/deployment-h": up("hold"),
            "accounts/my-account/deployments/deployment-f": up("f"),
            "accounts/my-account/deployments/abcd1234": up("pinned"),
            "accounts/other-account/deployments/o-dep": up("o"),
        }
    });
    let path = dir.join("gateway.json");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

struct Setup {
    gateway: Arc<Gateway>,
    mock: Mock,
    addr: SocketAddr,
    dir: PathBuf,
    client: Client<HttpConnector, Full<Bytes>>,
}

async fn start() -> Setup {
    let localhost: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mock = Mock::spawn(localhost).await.unwrap();
    let dir = temp_dir();
    let config = write_config(&dir, mock.addr(), &registry(2));
    let gateway = Gateway::load(config).unwrap();
    let addr = Arc::clone(&gateway).spawn(localhost).await.unwrap();
    let client = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    Setup {
        gateway,
        mock,
        addr,
        dir,
        client,
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One request: `(status, JSON body, x-replica-router-deployment header)`.
#[derive(Default)]
struct Call<'a> {
    path: &'a str,
    method: Option<Method>,
    host: Option<&'a str>,
    auth: Option<&'a str>,
    session: Option<&'a str>,
    body: Option<String>,
}

impl Setup {
    async fn call(&self, call: Call<'_>) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method(call.method.unwrap_or(Method::POST))
            .uri(format!("http://{}{}", self.addr, call.path));
        if let Some(host) = call.host {
            request = request.header("host", host);
        }
        if let Some(auth) = call.auth {
            request = request.header("authorization", auth);
        }
        if let Some(key) = call.session {
            request = request.header("x-session-key", key);
        }
        let body = call.body.unwrap_or_default();
        let request = request.body(Full::new(Bytes::from(body))).unwrap();
        let response = self.client.request(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
        (status, value)
    }

    /// A chat completion for `model` as `my-account`.
    async fn chat(&self, model: &str) -> (StatusCode, Value) {
        self.call(Call {
            path: "/inference/v1/chat/completions",
            auth: Some("Bearer sk-my"),
            body: Some(json!({ "model": model, "messages": [] }).to_string()),
            ..Call::default()
        })
        .await
    }

    /// Sends `n` chat completions for `model` one after another and counts
    /// the upstreams that answered.
    async fn split(&self, model: &str, n: usize) -> (u64, u64) {
        let (mut a, mut b) = (0, 0);
        for _ in 0..n {
            let (status, body) = self.chat(model).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            match body["upstream"].as_str() {
                Some("a") => a += 1,
                Some("b") => b += 1,
                other => panic!("unexpected upstream {other:?}"),
            }
        }
        (a, b)
    }
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_split_is_exact_and_streamed_through() {
    let s = start().await;
    let (status, body) = s.chat("rr").await;
    assert_eq!(status, StatusCode::OK);
    // The mock's three chunks arrive whole, with the path and the deployment
    // header the gateway added.
    assert_eq!(body["path"], "/a/inference/v1/chat/completions");
    assert_eq!(
        body["deployment"],
        "accounts/my-account/deployments/deployment-a"
    );
    // 3:2 round robin: every window of 5 picks has exactly 3 a and 2 b, so
    // 499 more requests (1 + 499 = 100 windows) give exactly 300 and 200.
    let (a, b) = s.split("rr", 499).await;
    assert_eq!((a + 1, b), (300, 200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weighted_random_split_matches_the_exact_shares() {
    let s = start().await;
    let n = 2000u64;
    let (a, b) = s.split("wr", n as usize).await;
    assert_eq!(a + b, n);
    // Chi-square against the exact shares 3/5 and 2/5 (1 degree of freedom);
    // 10.83 is the 0.999 quantile. The seed is fixed, so this is one
    // reproducible draw, not a flaky one.
    let expected = [n as f64 * 3.0 / 5.0, n as f64 * 2.0 / 5.0];
    let chi2: f64 = [a, b]
        .iter()
        .zip(expected)
        .map(|(&o, e)| (o as f64 - e).powi(2) / e)
        .sum();
    assert!(chi2 < 10.83, "chi-square {chi2} for a={a} b={b}");
    // Both sides were actually reached.
    assert!(a > 0 && b > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_key_sticks_to_one_deployment() {
    let s = start().await;
    let mut seen = std::collections::BTreeSet::new();
    for key in ["conversation-1", "conversation-2", "conversation-3"] {
        let mut first = None;
        for _ in 0..10 {
            let (status, body) = s
                .call(Call {
                    path: "/inference/v1/completions",
                    auth: Some("Bearer sk-my"),
                    session: Some(key),
                    body: Some(json!({ "model": "sticky", "prompt": "hi" }).to_string()),
                    ..Call::default()
                })
                .await;
            assert_eq!(status, StatusCode::OK);
            let upstream = body["upstream"].as_str().unwrap().to_owned();
            assert_eq!(
                body["path"],
                format!("/{upstream}/inference/v1/completions")
            );
            assert_eq!(first.get_or_insert_with(|| upstream.clone()), &upstream);
        }
        seen.extend(first);
    }
    assert!(seen.iter().all(|u| u == "a" || u == "b"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_map_to_statuses_with_the_core_code() {
    let s = start().await;
    let chat = "/inference/v1/chat/completions";
    let body = |model: &str| Some(json!({ "model": model }).to_string());
    let cases: Vec<(Call<'_>, StatusCode, &str)> = vec![
        // Caller authentication.
        (
            Call {
                path: chat,
                body: body("rr"),
                ..Call::default()
            },
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        ),
        (
            Call {
                path: chat,
                auth: Some("Bearer sk-nobody"),
                body: body("rr"),
                ..Call::default()
            },
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        ),
        (
            Call {
                path: chat,
                auth: Some("Basic sk-my"),
                body: body("rr"),
                ..Call::default()
            },
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        ),
        // Another account's private router and deployment.
        (
            Call {
                path: chat,
                auth: Some("Bearer sk-my"),
                body: body("accounts/other-account/routers/private"),
                ..Call::default()
            },
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
        ),
        (
            Call {
                path: chat,
                auth: Some("Bearer sk-my"),
                body: body("accounts/other-account/deployments/o-dep"),
                ..Call::default()
            },
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
        ),
        // Unknown, malformed, empty.
        (
            Call {
                path: chat,
                auth: Some("Bearer sk-my"),
                body: body("no-such-router"),
                ..Call::default()
            },
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            Call {
                path: chat,
                auth: Some("Bearer sk-my"),
                body: body("accounts/my-account/widgets/x"),
                ..Call::default()
            },
            StatusCode::BAD_REQUEST,
            "INVALID_RESOURCE_NAME",
        ),
        (
            Call {
                path: chat,
                auth: Some("Bearer sk-my"),
                body: body("empty"),
                ..Call::default()
            },
            StatusCode::SERVICE_UNAVAILABLE,
            "NO_CAPACITY",
        ),
        (
            Call {
                path: chat,
                auth: Some("Bearer sk-my"),
                body: body("deployment-z"),
                ..Call::default()
            },
            StatusCode::SERVICE_UNAVAILABLE,
            "NO_CAPACITY",
        ),
        // The gateway's own: body, method, path.
        (
            Call {
                path: chat,
                auth: Some("Bearer sk-my"),
                body: Some("{\"messages\": []}".into()),
                ..Call::default()
            },
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            Call {
                path: chat,
                auth: Some("Bearer sk-my"),
                body: Some("not json".into()),
                ..Call::default()
            },
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            Call {
                path: chat,
                method: Some(Method::GET),
                auth: Some("Bearer sk-my"),
                ..Call::default()
            },
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
        ),
        (
            Call {
                path: "/inference/v1/embeddings",
                auth: Some("Bearer sk-my"),
                body: body("rr"),
                ..Call::default()
            },
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
    ];
    for (call, status, code) in cases {
        let what = format!("{} {:?} {:?}", call.path, call.auth, call.body);
        let (got, body) = s.call(call).await;
        assert_eq!((got, error_code(&body)), (status, code), "{what}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // The other account reaches its own private router.
    let (status, body) = s
        .call(Call {
            path: chat,
            auth: Some("Bearer sk-other"),
            body: body("private"),
            ..Call::default()
        })
        .await;
    assert_eq!(
        (status, body["upstream"].as_str()),
        (StatusCode::OK, Some("o"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_routes_are_served_by_host_with_bearer_keys() {
    let s = start().await;
    let direct = |auth| Call {
        path: "/v1/chat/completions",
        host: Some(HANDLE),
        auth,
        body: Some(json!({ "model": "anything" }).to_string()),
        ..Call::default()
    };
    let (status, body) = s.call(direct(None)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")
    );
    let (status, body) = s.call(direct(Some("Bearer wrongKey"))).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "FORBIDDEN")
    );
    let (status, body) = s.call(direct(Some("bearer  myDirectKey1 "))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["upstream"], "pinned");
    assert_eq!(body["path"], "/pinned/v1/chat/completions");
    // The handle matches in any case and with a port.
    let upper = format!("{}:443", HANDLE.to_ascii_uppercase());
    let (status, _) = s
        .call(Call {
            host: Some(&upper),
            ..direct(Some("Bearer myDirectKey1"))
        })
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_publishes_a_new_snapshot_and_keeps_requests_in_flight() {
    let s = start().await;
    assert_eq!(s.split("rr", 5).await, (3, 2));

    // A request held by the upstream while the snapshot changes under it.
    let held = {
        let client = s.client.clone();
        let uri = format!("http://{}/inference/v1/chat/completions", s.addr);
        tokio::spawn(async move {
            let request = Request::post(uri)
                .header("authorization", "Bearer sk-my")
                .body(Full::new(Bytes::from(
                    json!({ "model": "held" }).to_string(),
                )))
                .unwrap();
            let response = client.request(request).await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        })
    };
    s.mock.wait_held().await;

    // deployment-b goes to 3 replicas: 3:3.
    let config = write_config(&s.dir, s.mock.addr(), &registry(3));
    assert_eq!(s.gateway.reload().unwrap(), 2);
    assert_eq!(s.gateway.generation(), 2);

    s.mock.release(1);
    let (status, body) = held.await.unwrap();
    assert_eq!(
        (status, body["upstream"].as_str()),
        (StatusCode::OK, Some("hold"))
    );

    // The cursor continues at cursor % 6; any 6 consecutive picks are 3:3.
    assert_eq!(s.split("rr", 600).await, (300, 300));

    // A broken snapshot is refused and the previous state keeps serving.
    std::fs::write(s.dir.join("registry.json"), "{ not json").unwrap();
    let error = s.gateway.reload().unwrap_err();
    assert!(error.to_string().contains("INVALID_JSON"), "{error}");
    assert_eq!(s.gateway.generation(), 2);
    assert_eq!(s.split("rr", 6).await, (3, 3));

    // A configuration naming an unknown field is refused as well.
    std::fs::write(&config, "{\"snapshot\": \"registry.json\", \"sed\": 1}").unwrap();
    assert!(s.gateway.reload().is_err());
    let (status, body) = s
        .call(Call {
            path: "/healthz",
            method: Some(Method::GET),
            ..Call::default()
        })
        .await;
    assert_eq!(
        (status, body["generation"].as_u64()),
        (StatusCode::OK, Some(2))
    );
}

#[test]
fn the_demo_files_are_up_to_date_and_load() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    let committed = std::fs::read_to_string(demo.join("registry.json")).unwrap();
    let generated = gateway::demo::registry().unwrap().to_json();
    assert_eq!(
        committed.trim_end(),
        generated.trim_end(),
        "regenerate: cargo run -p gateway --example demo_snapshot > examples/gateway/demo/registry.json"
    );
    let gateway = Gateway::load(demo.join("gateway.json")).unwrap();
    let state = gateway.state();
    assert_eq!(state.upstreams.len(), 3);
    assert!(state.direct.contains_key(HANDLE));
    assert_eq!(
        state.api_keys.get("sk-demo").map(String::as_str),
        Some("my-account")
    );
}

const HELD: &str = "accounts/my-account/deployments/deployment-h";

/// Waits (yielding, up to 10 s) until the gateway counts `n` requests in
/// flight to `deployment`: a guard is dropped by the server's connection
/// task, which may run just after the client has read the last byte.
async fn wait_in_flight(gateway: &Gateway, deployment: &str, n: u64) {
    for _ in 0..1000 {
        if gateway.in_flight(deployment) == Some(n) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!(
        "in flight to {deployment}: {:?}, expected {n}",
        gateway.in_flight(deployment)
    );
}

/// SPEC R8 through the gateway: the `even` router (held `h` and fast `f`,
/// one replica each) routes by the gateway's own in-flight counts. While one
/// request is held at `h`, every new request goes to `f`; the count falls
/// back to 0 when the held response is sent, and when its client is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn even_load_avoids_the_deployment_with_a_request_in_flight() {
    let s = Arc::new(start().await);
    assert_eq!(s.gateway.in_flight(HELD), Some(0));
    // Idle, the pick is a weighted-random draw: send requests one at a
    // time until one is held at `h` (the others went to `f` and finished).
    let mut held = None;
    for _ in 0..64 {
        let setup = Arc::clone(&s);
        let mut task = tokio::spawn(async move { setup.chat("even").await });
        tokio::select! {
            () = s.mock.wait_held() => {
                held = Some(task);
                break;
            }
            done = &mut task => {
                let (status, body) = done.unwrap();
                assert_eq!(status, StatusCode::OK, "{body}");
                assert_eq!(body["upstream"], "f");
            }
        }
    }
    let held = held.expect("64 idle picks never chose deployment-h");
    assert_eq!(s.gateway.in_flight(HELD), Some(1));
    for _ in 0..20 {
        // A request sent to `h` would be held: time it out as a failure.
        let call = tokio::time::timeout(std::time::Duration::from_secs(10), s.chat("even"));
        let (status, body) = call.await.expect("routed to the busy deployment-h");
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["upstream"], "f", "sent to the busy deployment");
    }
    s.mock.release(1);
    let (status, body) = held.await.unwrap();
    assert_eq!(
        (status, &body["upstream"]),
        (StatusCode::OK, &json!("hold"))
    );
    wait_in_flight(&s.gateway, HELD, 0).await;
    assert_eq!(
        s.gateway
            .in_flight("accounts/my-account/deployments/deployment-f"),
        Some(0)
    );

    // A client that gives up: the request is still subtracted once.
    let setup = Arc::clone(&s);
    let gone = tokio::spawn(async move { setup.chat("held").await });
    s.mock.wait_held().await;
    assert_eq!(s.gateway.in_flight(HELD), Some(1));
    gone.abort();
    s.mock.release(1);
    wait_in_flight(&s.gateway, HELD, 0).await;
}
