//! One typed operation per change (SPEC P3): applies itself to a registry,
//! renders as a `firectl` command and as a REST request.

use std::fmt::{self, Write as _};

use super::export::{Object, key_placeholders, names, number, set_strategy, text, write_value};
use super::{SESSION_AFFINITY, key_placeholder};
use crate::deployment::{DeploymentSpec, DeploymentUpdate};
use crate::error::{Error, Result};
use crate::names::{Id, ResourceKind, ResourceName};
use crate::region::Region;
use crate::registry::Registry;
use crate::router::{RouterSpec, RouterUpdate, Strategy};
use crate::support::json::{Value, Writer};

/// Direct-route API keys carried by a create operation, so that applying it
/// can digest them. Never shown: `Debug` is redacted and every rendering
/// writes `<DIRECT_ROUTE_API_KEY_1>` placeholders.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeys(Vec<String>);

impl ApiKeys {
    /// The keys, in order.
    pub fn new<I, S>(keys: I) -> ApiKeys
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ApiKeys(keys.into_iter().map(Into::into).collect())
    }
    /// How many keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} redacted>", self.0.len())
    }
}

/// One change to a registry (SPEC P3).
///
/// Build one with the constructors ([`Operation::create_router`], ...),
/// which resolve bare IDs against the registry's account, or take them from
/// a migration plan ([`MigrationPlan::operations`](crate::MigrationPlan::operations)).
/// [`Operation::apply`] runs it through the registry's own checks;
/// [`Operation::firectl_command`] and [`Operation::rest_request`] render it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `firectl router create`; `POST .../routers?routerId=`.
    CreateRouter {
        /// The account it is created in.
        account: Id,
        /// Its ID; `None` lets the registry (or the platform) generate one.
        id: Option<Id>,
        /// Its deployments, in order.
        deployments: Vec<ResourceName>,
        /// Display name.
        display_name: Option<String>,
        /// Model.
        model: Option<ResourceName>,
        /// Strategy.
        strategy: Strategy,
        /// Session-affinity flag (SPEC R9).
        session_affinity: bool,
        /// Public flag.
        public: bool,
    },
    /// `firectl router update`; `PATCH .../routers/{id}`: only the fields
    /// given change.
    UpdateRouter {
        /// The router.
        router: ResourceName,
        /// New deployment list.
        deployments: Option<Vec<ResourceName>>,
        /// New display name.
        display_name: Option<String>,
        /// New model.
        model: Option<ResourceName>,
        /// New strategy.
        strategy: Option<Strategy>,
        /// New session-affinity flag (SPEC R9).
        session_affinity: Option<bool>,
        /// New public flag.
        public: Option<bool>,
        /// Removes the display name (SPEC R1).
        clear_display_name: bool,
        /// Removes the model (SPEC R1).
        clear_model: bool,
    },
    /// `firectl router delete`; `DELETE .../routers/{id}`.
    DeleteRouter {
        /// The router.
        router: ResourceName,
    },
    /// `firectl deployment create`; `POST .../deployments?deploymentId=`.
    CreateDeployment {
        /// The account it is created in.
        account: Id,
        /// Its ID; `None` lets the registry (or the platform) generate one.
        id: Option<Id>,
        /// Its model.
        model: ResourceName,
        /// Pinned region; `None` is multi-region.
        region: Option<Region>,
        /// Minimum replicas.
        min_replicas: u32,
        /// Maximum replicas.
        max_replicas: u32,
        /// Internet direct-route keys, when it has a direct route.
        direct_route_api_keys: Option<ApiKeys>,
    },
    /// `firectl deployment update`; `PATCH .../deployments/{id}`.
    UpdateDeployment {
        /// The deployment.
        deployment: ResourceName,
        /// New minimum.
        min_replicas: Option<u32>,
        /// New maximum.
        max_replicas: Option<u32>,
    },
    /// `firectl deployment delete`; `DELETE .../deployments/{id}`.
    DeleteDeployment {
        /// The deployment.
        deployment: ResourceName,
    },
    /// `firectl deployment scale`; `PATCH .../deployments/{id}:scale`.
    ScaleDeployment {
        /// The deployment.
        deployment: ResourceName,
        /// The replica count, within the deployment's bounds.
        replicas: u32,
    },
}

/// A rendered REST request (SPEC P3): method, path under
/// `/v1/accounts/{account}/...`, query and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestRequest {
    /// `POST`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The path, for example `/v1/accounts/my-account/routers`.
    pub path: String,
    /// Query parameters, in order (`routerId`, `deploymentId`).
    pub query: Vec<(&'static str, String)>,
    body: Option<Value>,
}

impl RestRequest {
    /// The JSON body, pretty-printed; `None` for a `DELETE`.
    pub fn body(&self) -> Option<String> {
        self.body.as_ref().map(|b| {
            let mut w = Writer::default();
            write_value(&mut w, b);
            w.finish()
        })
    }

    /// The path with its query string (`/v1/.../routers?routerId=my-router`).
    pub fn url_path(&self) -> String {
        let mut out = self.path.clone();
        for (i, (key, value)) in self.query.iter().enumerate() {
            let _ = write!(out, "{}{key}={value}", if i == 0 { '?' } else { '&' });
        }
        out
    }

    /// The request as JSON: `{"method", "path", "query": {...}, "body":
    /// {...} or null}`.
    pub fn to_json(&self) -> String {
        let mut w = Writer::default();
        self.write(&mut w);
        w.finish()
    }

    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.key("method").text(self.method);
            w.key("path").text(&self.path);
            w.key("query").object(|w| {
                for (key, value) in &self.query {
                    w.key(key).text(value);
                }
            });
            w.key("body").option(self.body.as_ref(), write_value);
        });
    }
}

impl fmt::Display for RestRequest {
    /// `METHOD path?query`, then the body on the following lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.url_path())?;
        if let Some(body) = self.body() {
            write!(f, "\n{body}")?;
        }
        Ok(())
    }
}

fn resource_path(name: &ResourceName) -> String {
    let collection = match name.kind() {
        ResourceKind::Router => "routers",
        ResourceKind::Deployment => "deployments",
        ResourceKind::Model => "models",
    };
    format!("/v1/accounts/{}/{collection}/{}", name.account(), name.id())
}

/// Quotes a flag value for a POSIX shell when it is not plain.
fn shell(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:,=@".contains(&b));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

fn ids(names: &[ResourceName]) -> String {
    let ids: Vec<&str> = names.iter().map(|n| n.id().as_str()).collect();
    ids.join(",")
}

impl Operation {
    /// Creating a router from a spec, names resolved against the registry's
    /// account (SPEC N2). Nothing is checked against the registry's state:
    /// [`Operation::apply`] does that.
    ///
    /// # Errors
    /// Name errors ([`Error::InvalidName`], [`Error::InvalidResourceName`]).
    pub fn create_router(registry: &Registry, spec: &RouterSpec) -> Result<Operation> {
        let account = registry.account();
        let (account, id) = new_name(spec.id.as_deref(), ResourceKind::Router, account)?;
        Ok(Operation::CreateRouter {
            account,
            id,
            deployments: parse_all(&spec.deployments, ResourceKind::Deployment, registry)?,
            display_name: spec.display_name.clone(),
            model: parse_opt(spec.model.as_deref(), ResourceKind::Model, registry)?,
            strategy: spec.strategy,
            session_affinity: spec.session_affinity,
            public: spec.public,
        })
    }

    /// Updating a router (see [`Operation::create_router`]).
    ///
    /// # Errors
    /// Name errors.
    pub fn update_router(
        registry: &Registry,
        router: &str,
        update: &RouterUpdate,
    ) -> Result<Operation> {
        Ok(Operation::UpdateRouter {
            router: ResourceName::parse(router, ResourceKind::Router, registry.account())?,
            deployments: update
                .deployments
                .as_ref()
                .map(|d| parse_all(d, ResourceKind::Deployment, registry))
                .transpose()?,
            display_name: update.display_name.clone(),
            model: parse_opt(update.model.as_deref(), ResourceKind::Model, registry)?,
            strategy: update.strategy,
            session_affinity: update.session_affinity,
            public: update.public,
            clear_display_name: update.clear_display_name,
            clear_model: update.clear_model,
        })
    }

    /// Deleting a router.
    ///
    /// # Errors
    /// Name errors.
    pub fn delete_router(registry: &Registry, router: &str) -> Result<Operation> {
        let router = ResourceName::parse(router, ResourceKind::Router, registry.account())?;
        Ok(Operation::DeleteRouter { router })
    }

    /// Creating a deployment from a spec (see [`Operation::create_router`]).
    ///
    /// # Errors
    /// Name errors; [`Error::InvalidRegion`].
    pub fn create_deployment(registry: &Registry, spec: &DeploymentSpec) -> Result<Operation> {
        let (account, id) = new_name(
            spec.id.as_deref(),
            ResourceKind::Deployment,
            registry.account(),
        )?;
        let (min_replicas, max_replicas) = spec.bounds();
        Ok(Operation::CreateDeployment {
            account,
            id,
            model: ResourceName::parse(&spec.model, ResourceKind::Model, registry.account())?,
            region: spec.region.as_deref().map(Region::new).transpose()?,
            min_replicas,
            max_replicas,
            direct_route_api_keys: spec.direct_route_api_keys.clone().map(ApiKeys),
        })
    }

    /// Updating a deployment's bounds.
    ///
    /// # Errors
    /// Name errors.
    pub fn update_deployment(
        registry: &Registry,
        deployment: &str,
        update: &DeploymentUpdate,
    ) -> Result<Operation> {
        Ok(Operation::UpdateDeployment {
            deployment: ResourceName::parse(
                deployment,
                ResourceKind::Deployment,
                registry.account(),
            )?,
            min_replicas: update.min_replicas,
            max_replicas: update.max_replicas,
        })
    }

    /// Deleting a deployment.
    ///
    /// # Errors
    /// Name errors.
    pub fn delete_deployment(registry: &Registry, deployment: &str) -> Result<Operation> {
        let deployment =
            ResourceName::parse(deployment, ResourceKind::Deployment, registry.account())?;
        Ok(Operation::DeleteDeployment { deployment })
    }

    /// Scaling a deployment to `replicas`.
    ///
    /// # Errors
    /// Name errors.
    pub fn scale_deployment(
        registry: &Registry,
        deployment: &str,
        replicas: u32,
    ) -> Result<Operation> {
        let deployment =
            ResourceName::parse(deployment, ResourceKind::Deployment, registry.account())?;
        Ok(Operation::ScaleDeployment {
            deployment,
            replicas,
        })
    }

    /// Applies the operation through the registry's own operation (atomic:
    /// on error the registry is exactly as before).
    ///
    /// # Errors
    /// Those of the registry operation it runs, for example
    /// [`Error::NotFound`], [`Error::PermissionDenied`] (acting as another
    /// account), [`Error::ReadOnlyRouter`], [`Error::ReplicasOutOfBounds`].
    pub fn apply(&self, registry: &mut Registry) -> Result<()> {
        let strings = |names: &[ResourceName]| names.iter().map(ToString::to_string).collect();
        match self {
            Operation::CreateRouter {
                account,
                id,
                deployments,
                display_name,
                model,
                strategy,
                session_affinity,
                public,
            } => {
                let mut spec = RouterSpec::new::<_, String>(strings(deployments))
                    .strategy(*strategy)
                    .session_affinity(*session_affinity)
                    .public(*public);
                if let Some(id) = id {
                    spec = spec.id(ResourceName::new(
                        account.clone(),
                        ResourceKind::Router,
                        id.clone(),
                    )
                    .to_string());
                } else if account != registry.account() {
                    return Err(Error::PermissionDenied {
                        name: format!("accounts/{account}/routers/-"),
                        caller: registry.account().to_string(),
                    });
                }
                spec.display_name = display_name.clone();
                spec.model = model.as_ref().map(ToString::to_string);
                registry.create_router(spec)?;
            }
            Operation::UpdateRouter {
                router,
                deployments,
                display_name,
                model,
                strategy,
                session_affinity,
                public,
                clear_display_name,
                clear_model,
            } => {
                let update = RouterUpdate {
                    deployments: deployments.as_deref().map(strings),
                    display_name: display_name.clone(),
                    model: model.as_ref().map(ToString::to_string),
                    strategy: *strategy,
                    session_affinity: *session_affinity,
                    public: *public,
                    clear_display_name: *clear_display_name,
                    clear_model: *clear_model,
                };
                registry.update_router(&router.to_string(), update)?;
            }
            Operation::DeleteRouter { router } => registry.delete_router(&router.to_string())?,
            Operation::CreateDeployment {
                account,
                id,
                model,
                region,
                min_replicas,
                max_replicas,
                direct_route_api_keys,
            } => {
                let mut spec =
                    DeploymentSpec::new(model.to_string()).replicas(*min_replicas, *max_replicas);
                if let Some(id) = id {
                    spec = spec.id(ResourceName::new(
                        account.clone(),
                        ResourceKind::Deployment,
                        id.clone(),
                    )
                    .to_string());
                } else if account != registry.account() {
                    return Err(Error::PermissionDenied {
                        name: format!("accounts/{account}/deployments/-"),
                        caller: registry.account().to_string(),
                    });
                }
                spec.region = region.as_ref().map(ToString::to_string);
                spec.direct_route_api_keys = direct_route_api_keys.as_ref().map(|k| k.0.clone());
                registry.create_deployment(spec)?;
            }
            Operation::UpdateDeployment {
                deployment,
                min_replicas,
                max_replicas,
            } => {
                let update = DeploymentUpdate {
                    min_replicas: *min_replicas,
                    max_replicas: *max_replicas,
                };
                registry.update_deployment(&deployment.to_string(), update)?;
            }
            Operation::DeleteDeployment { deployment } => {
                registry.delete_deployment(&deployment.to_string())?;
            }
            Operation::ScaleDeployment {
                deployment,
                replicas,
            } => {
                registry.scale_deployment(&deployment.to_string(), *replicas)?;
            }
        }
        Ok(())
    }

    /// The `firectl` command, on one line, as the references write them:
    /// routers and deployments by bare ID (the command runs with the
    /// operation's account as its profile), models by full name, keys as
    /// `<DIRECT_ROUTE_API_KEY_1>` placeholders.
    pub fn firectl_command(&self) -> String {
        let mut cmd = String::new();
        match self {
            Operation::CreateRouter {
                id,
                deployments,
                display_name,
                model,
                strategy,
                session_affinity,
                public,
                ..
            } => {
                cmd.push_str("firectl router create");
                if let Some(id) = id {
                    let _ = write!(cmd, " --router-id={id}");
                }
                let _ = write!(cmd, " --deployments={}", ids(deployments));
                if let Some(d) = display_name {
                    let _ = write!(cmd, " --display-name={}", shell(d));
                }
                if let Some(m) = model {
                    let _ = write!(cmd, " --model={m}");
                }
                if *strategy != Strategy::default() {
                    let _ = write!(cmd, " --strategy={strategy}");
                }
                if *session_affinity {
                    cmd.push_str(" --session-affinity");
                }
                if *public {
                    cmd.push_str(" --public");
                }
            }
            Operation::UpdateRouter {
                router,
                deployments,
                display_name,
                model,
                strategy,
                session_affinity,
                public,
                clear_display_name,
                clear_model,
            } => {
                let _ = write!(cmd, "firectl router update {}", router.id());
                if let Some(d) = deployments {
                    let _ = write!(cmd, " --deployments={}", ids(d));
                }
                if let Some(d) = display_name {
                    let _ = write!(cmd, " --display-name={}", shell(d));
                } else if *clear_display_name {
                    cmd.push_str(" --display-name=''");
                }
                if let Some(m) = model {
                    let _ = write!(cmd, " --model={m}");
                } else if *clear_model {
                    cmd.push_str(" --model=''");
                }
                if let Some(s) = strategy {
                    let _ = write!(cmd, " --strategy={s}");
                }
                if let Some(a) = session_affinity {
                    let _ = write!(cmd, " --session-affinity={a}");
                }
                if let Some(p) = public {
                    let _ = write!(cmd, " --public={p}");
                }
            }
            Operation::DeleteRouter { router } => {
                let _ = write!(cmd, "firectl router delete {}", router.id());
            }
            Operation::CreateDeployment {
                id,
                model,
                region,
                min_replicas,
                max_replicas,
                direct_route_api_keys,
                ..
            } => {
                let _ = write!(cmd, "firectl deployment create {model}");
                if let Some(id) = id {
                    let _ = write!(cmd, " --deployment-id={id}");
                }
                if (*min_replicas, *max_replicas) != (1, 1) {
                    let _ = write!(
                        cmd,
                        " --min-replica-count={min_replicas} --max-replica-count={max_replicas}"
                    );
                }
                if let Some(r) = region {
                    let _ = write!(cmd, " --region={r}");
                }
                if let Some(keys) = direct_route_api_keys {
                    cmd.push_str(" --direct-route-type=INTERNET");
                    for i in 1..=keys.len() {
                        let _ = write!(cmd, " --direct-route-api-keys={}", key_placeholder(i));
                    }
                }
            }
            Operation::UpdateDeployment {
                deployment,
                min_replicas,
                max_replicas,
            } => {
                let _ = write!(cmd, "firectl deployment update {}", deployment.id());
                if let Some(n) = min_replicas {
                    let _ = write!(cmd, " --min-replica-count={n}");
                }
                if let Some(n) = max_replicas {
                    let _ = write!(cmd, " --max-replica-count={n}");
                }
            }
            Operation::DeleteDeployment { deployment } => {
                let _ = write!(cmd, "firectl deployment delete {}", deployment.id());
            }
            Operation::ScaleDeployment {
                deployment,
                replicas,
            } => {
                let _ = write!(
                    cmd,
                    "firectl deployment scale {} --replica-count={replicas}",
                    deployment.id()
                );
            }
        }
        cmd
    }

    /// The REST request (see the [module docs](crate::platform) for which
    /// parts come from the API reference and which are assumptions).
    pub fn rest_request(&self) -> RestRequest {
        let request = |method, path, query, body| RestRequest {
            method,
            path,
            query,
            body,
        };
        match self {
            Operation::CreateRouter {
                account,
                id,
                deployments,
                display_name,
                model,
                strategy,
                session_affinity,
                public,
            } => {
                let mut o = Object::default();
                if let Some(d) = display_name {
                    o.set("displayName", text(d));
                }
                o.set("deployments", names(deployments));
                if let Some(m) = model {
                    o.set("model", text(m));
                }
                set_strategy(&mut o, *strategy);
                if *session_affinity {
                    o.set(SESSION_AFFINITY, Value::Bool(true));
                }
                o.set("public", Value::Bool(*public));
                let query = id.iter().map(|id| ("routerId", id.to_string())).collect();
                request(
                    "POST",
                    format!("/v1/accounts/{account}/routers"),
                    query,
                    Some(o.build()),
                )
            }
            Operation::UpdateRouter {
                router,
                deployments,
                display_name,
                model,
                strategy,
                session_affinity,
                public,
                clear_display_name,
                clear_model,
            } => {
                let mut o = Object::default();
                o.set("name", text(router));
                if let Some(d) = display_name {
                    o.set("displayName", text(d));
                } else if *clear_display_name {
                    o.set("displayName", text(""));
                }
                if let Some(d) = deployments {
                    o.set("deployments", names(d));
                }
                if let Some(m) = model {
                    o.set("model", text(m));
                } else if *clear_model {
                    o.set("model", text(""));
                }
                if let Some(s) = strategy {
                    set_strategy(&mut o, *s);
                }
                if let Some(a) = session_affinity {
                    o.set(SESSION_AFFINITY, Value::Bool(*a));
                }
                if let Some(p) = public {
                    o.set("public", Value::Bool(*p));
                }
                request("PATCH", resource_path(router), Vec::new(), Some(o.build()))
            }
            Operation::DeleteRouter { router } => {
                request("DELETE", resource_path(router), Vec::new(), None)
            }
            Operation::CreateDeployment {
                account,
                id,
                model,
                region,
                min_replicas,
                max_replicas,
                direct_route_api_keys,
            } => {
                let mut o = Object::default();
                o.set("baseModel", text(model));
                o.set("minReplicaCount", number(*min_replicas));
                o.set("maxReplicaCount", number(*max_replicas));
                if let Some(r) = region {
                    let mut p = Object::default();
                    p.set("region", text(r));
                    o.set("placement", p.build());
                }
                if let Some(keys) = direct_route_api_keys {
                    o.set("directRouteType", text("INTERNET"));
                    o.set("directRouteApiKeys", key_placeholders(keys.len()));
                }
                let query = id
                    .iter()
                    .map(|id| ("deploymentId", id.to_string()))
                    .collect();
                request(
                    "POST",
                    format!("/v1/accounts/{account}/deployments"),
                    query,
                    Some(o.build()),
                )
            }
            Operation::UpdateDeployment {
                deployment,
                min_replicas,
                max_replicas,
            } => {
                let mut o = Object::default();
                o.set("name", text(deployment));
                if let Some(n) = min_replicas {
                    o.set("minReplicaCount", number(*n));
                }
                if let Some(n) = max_replicas {
                    o.set("maxReplicaCount", number(*n));
                }
                request(
                    "PATCH",
                    resource_path(deployment),
                    Vec::new(),
                    Some(o.build()),
                )
            }
            Operation::DeleteDeployment { deployment } => {
                request("DELETE", resource_path(deployment), Vec::new(), None)
            }
            Operation::ScaleDeployment {
                deployment,
                replicas,
            } => {
                let mut o = Object::default();
                o.set("replicaCount", number(*replicas));
                request(
                    "PATCH",
                    format!("{}:scale", resource_path(deployment)),
                    Vec::new(),
                    Some(o.build()),
                )
            }
        }
    }

    /// The operation as JSON, for bindings and vectors: `{"firectl": "...",
    /// "rest": {...}}` (see [`RestRequest::to_json`]).
    pub fn to_json(&self) -> String {
        let mut w = Writer::default();
        w.object(|w| {
            w.key("firectl").text(self.firectl_command());
            self.rest_request().write(w.key("rest"));
        });
        w.finish()
    }
}

impl fmt::Display for Operation {
    /// The `firectl` command.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.firectl_command())
    }
}

/// The account and optional ID of a resource to create.
fn new_name(id: Option<&str>, kind: ResourceKind, account: &Id) -> Result<(Id, Option<Id>)> {
    match id {
        None => Ok((account.clone(), None)),
        Some(id) => {
            let name = ResourceName::parse(id, kind, account)?;
            Ok((name.account().clone(), Some(name.id().clone())))
        }
    }
}

fn parse_all(
    inputs: &[String],
    kind: ResourceKind,
    registry: &Registry,
) -> Result<Vec<ResourceName>> {
    inputs
        .iter()
        .map(|d| ResourceName::parse(d, kind, registry.account()))
        .collect()
}

fn parse_opt(
    input: Option<&str>,
    kind: ResourceKind,
    registry: &Registry,
) -> Result<Option<ResourceName>> {
    input
        .map(|m| ResourceName::parse(m, kind, registry.account()))
        .transpose()
}
