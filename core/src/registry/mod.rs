//! The in-memory registry of deployments and routers (SPEC T1, T2, D1-D3,
//! R1-R6).
//!
//! | rule | items |
//! | --- | --- |
//! | N3 generated IDs | [`Registry::create_router`] |
//! | D1-D3 deployments | [`Registry::create_deployment`], [`Registry::update_deployment`], [`Registry::delete_deployment`] |
//! | R1-R4 routers | [`Registry::create_router`], [`Registry::update_router`], [`Registry::delete_router`] |
//! | R5 traffic split | [`Registry::traffic_split`] |
//! | R6 routing | [`Registry::route`], [`Registry::route_request`] |
//! | T1-T2 state and listings | [`Registry::to_json`], [`Registry::from_json`] |
//!
//! A [`Registry`] holds the state of any number of accounts and acts as one
//! of them at a time ([`Registry::account`]), like the reference CLI with a
//! profile: bare IDs resolve against that account, and it may create, change
//! and delete only that account's resources. Other accounts' public routers
//! can be read and routed to, never changed.
//!
//! Every operation validates everything before it changes anything: on any
//! error the registry is exactly as before, generator state included (R3).

mod index;
mod resources;
mod routing;
mod snapshot;

pub use routing::{RouteBatch, RouteDecision, RouteRequest};

pub(crate) use snapshot::FORMAT_VERSION;

use rand_chacha::ChaCha8Rng;

use crate::deployment::{Deployment, DeploymentSpec, DeploymentUpdate, Placement, check_bounds};
use crate::direct_route::{DirectRoute, KeySecret, SALT_STREAM, handle_label};
use crate::error::{Error, IdKind, Result};
use crate::limits::MAX_ROUTER_DEPLOYMENTS;
use crate::names::{Id, ResourceKind, ResourceName};
use crate::region::{Region, RegionCatalog};
use crate::router::{Router, RouterSpec, RouterUpdate, check_display_name};
use crate::selection::{Seed, below};
use crate::share::{Fraction, Share, TrafficSplit};
use crate::strategy::{LoadTracker, RouterTable};
use crate::support::ordered_map::{Keyed, OrderedMap, sort_find_repeat, sort_keyed};

/// Generator stream for generated IDs (SPEC N3).
const ID_STREAM: u64 = 0;
/// Generator stream for routing decisions made with [`Registry::route`].
const ROUTE_STREAM: u64 = 1;
/// Length of generated IDs (SPEC N3).
const GENERATED_ID_LEN: usize = 8;

/// A router and its cached routing state for its strategy (SPEC R6, R7),
/// rebuilt when the router or a listed deployment's replica count changes,
/// never per request. `table` is `None` when the router's deployments have 0
/// replicas in total.
#[derive(Debug, Clone)]
struct RouterEntry {
    router: Router,
    table: Option<RouterTable>,
}

#[derive(Debug, Clone, Default)]
struct Account {
    deployments: OrderedMap<Id, Deployment>,
    routers: OrderedMap<Id, RouterEntry>,
    /// The routers that list each deployment (SPEC D3); see [`index`].
    users: index::Users,
}

/// Deployments and routers of any number of accounts, in memory (SPEC T1).
///
/// ```
/// use replica_router::{DeploymentSpec, DeploymentUpdate, Fraction, Registry, RouterSpec};
/// let mut reg = Registry::new("my-account", 42)?;
/// reg.create_deployment(DeploymentSpec::new("llama").id("deployment-a").replicas(3, 3))?;
/// reg.create_deployment(DeploymentSpec::new("llama").id("deployment-b").replicas(2, 2))?;
/// reg.create_router(RouterSpec::new(["deployment-a", "deployment-b"]).id("ab-test"))?;
/// let split = reg.traffic_split("ab-test")?;
/// assert_eq!(split.shares[0].fraction, Fraction::new(3, 5).unwrap());
/// assert_eq!(split.shares[1].fraction, Fraction::new(2, 5).unwrap());
/// let picked = reg.route("accounts/my-account/routers/ab-test", "my-account")?;
/// assert!(picked.id().as_str().starts_with("deployment-"));
/// # Ok::<(), replica_router::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Registry {
    account: Id,
    catalog: RegionCatalog,
    seed: Seed,
    id_rng: ChaCha8Rng,
    route_rng: ChaCha8Rng,
    /// Draws API-key salts (SPEC G6), stream [`SALT_STREAM`].
    pub(crate) salt_rng: ChaCha8Rng,
    /// Keys the digests of API keys set from now on (SPEC G6); never in a
    /// snapshot.
    pub(crate) key_secret: Option<KeySecret>,
    accounts: OrderedMap<Id, Account>,
    /// Every router and deployment by full name, for routing; see
    /// [`index`].
    names: index::NameIndex,
    table_builds: u64,
}

/// Two registries are equal when their snapshots are
/// ([`Registry::to_json`]): the same acting account, seed, generator
/// positions, catalog, deployments and routers, so they make the same
/// decisions from here on. [`Registry::table_builds`] is not compared.
impl PartialEq for Registry {
    fn eq(&self, other: &Registry) -> bool {
        self.to_json() == other.to_json()
    }
}

impl Eq for Registry {}

/// `Registry(account='my-account', deployments=2, routers=1,
/// total_accounts=1, total_deployments=2, total_routers=1)`: the acting
/// account, its deployment and router counts, and the totals over every
/// account. Python's `repr` and JS's `toString` show this text.
impl std::fmt::Display for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let totals = self.totals();
        write!(
            f,
            "Registry(account='{}', deployments={}, routers={}, total_accounts={}, \
             total_deployments={}, total_routers={})",
            self.account(),
            self.list_deployments().len(),
            self.list_routers().len(),
            totals.accounts,
            totals.deployments,
            totals.routers,
        )
    }
}

/// Counts over every account of a registry: see [`Registry::totals`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegistryTotals {
    /// Accounts that own at least one deployment or router.
    pub accounts: usize,
    /// Deployments of every account.
    pub deployments: usize,
    /// Routers of every account.
    pub routers: usize,
}

impl Registry {
    /// An empty registry acting as `account`, with the default region catalog.
    ///
    /// The seed drives generated IDs (stream 0), [`Registry::route`]
    /// (stream 1) and the salts of direct-route API keys (stream 2,
    /// [`SALT_STREAM`]) of the pinned ChaCha8 generator (SPEC S1, S4, G6).
    ///
    /// # Errors
    /// [`Error::InvalidName`] when `account` breaks SPEC N1.
    pub fn new(account: &str, seed: impl Into<Seed>) -> Result<Registry> {
        Registry::with_catalog(account, seed, RegionCatalog::default())
    }

    /// An empty registry with a custom direct-routing catalog (SPEC G2).
    ///
    /// # Errors
    /// [`Error::InvalidName`] when `account` breaks SPEC N1.
    pub fn with_catalog(
        account: &str,
        seed: impl Into<Seed>,
        catalog: RegionCatalog,
    ) -> Result<Registry> {
        let account = Id::new(account, IdKind::Account)?;
        let seed = seed.into();
        Ok(Registry {
            account,
            catalog,
            id_rng: seed.rng_stream(ID_STREAM),
            route_rng: seed.rng_stream(ROUTE_STREAM),
            salt_rng: seed.rng_stream(SALT_STREAM),
            key_secret: None,
            seed,
            accounts: OrderedMap::new(),
            names: index::NameIndex::default(),
            table_builds: 0,
        })
    }

    /// The same registry with `secret` keying the digests of the API keys
    /// set from now on: `HMAC-SHA-256(secret, salt ‖ key)` (SPEC G6).
    ///
    /// The secret stays out of snapshots ([`Registry::to_json`] records only
    /// a check value); load them with [`Registry::from_json_with_key_secret`]
    /// and the same secret. Digests set before keep verifying as they are.
    ///
    /// ```
    /// use replica_router::{DeploymentSpec, Error, KeySecret, Registry};
    /// let secret = KeySecret::new(b"a secret held outside snapshots")?;
    /// let mut reg = Registry::new("acme", 1)?.with_key_secret(secret.clone())?;
    /// reg.create_deployment(DeploymentSpec::new("m").id("d1").region("US_ARIZONA_1").direct_route(["k"]))?;
    /// let json = reg.to_json();
    /// assert_eq!(Registry::from_json(&json).unwrap_err(), Error::KeySecretMismatch { given: false });
    /// let loaded = Registry::from_json_with_key_secret(&json, &secret)?;
    /// assert!(loaded.authorize_direct_route("d1", Some("Bearer k")).is_ok());
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::KeySecretMismatch`] when the registry already has a
    /// different secret; nothing changes.
    pub fn with_key_secret(mut self, secret: KeySecret) -> Result<Registry> {
        if self.key_secret.as_ref().is_some_and(|s| *s != secret) {
            return Err(Error::KeySecretMismatch { given: true });
        }
        self.key_secret = Some(secret);
        Ok(self)
    }

    /// Whether a key secret keys new API-key digests (SPEC G6).
    pub fn has_key_secret(&self) -> bool {
        self.key_secret.is_some()
    }

    /// The account the registry acts as.
    pub fn account(&self) -> &Id {
        &self.account
    }

    /// Acts as another account from now on (like switching CLI profiles).
    ///
    /// # Errors
    /// [`Error::InvalidName`] when `account` breaks SPEC N1; nothing changes.
    pub fn set_account(&mut self, account: &str) -> Result<()> {
        self.account = Id::new(account, IdKind::Account)?;
        Ok(())
    }

    /// The direct-routing region catalog (SPEC G2).
    pub fn catalog(&self) -> &RegionCatalog {
        &self.catalog
    }

    /// The seed the registry was created with.
    pub fn seed(&self) -> Seed {
        self.seed
    }

    /// Every account's resources, counted (the listings show only the
    /// acting account's).
    pub fn totals(&self) -> RegistryTotals {
        let mut totals = RegistryTotals::default();
        for account in self.accounts.values() {
            let deployments = account.deployments.values().len();
            let routers = account.routers.values().len();
            if deployments + routers > 0 {
                totals.accounts += 1;
            }
            totals.deployments += deployments;
            totals.routers += routers;
        }
        totals
    }

    /// How many selection tables have been built since this registry was
    /// created or loaded. Routing never builds one (SPEC R6): only creating
    /// or updating a router, or changing a listed deployment's replicas, does.
    pub fn table_builds(&self) -> u64 {
        self.table_builds
    }

    fn parse(&self, input: &str, kind: ResourceKind) -> Result<ResourceName> {
        ResourceName::parse(input, kind, &self.account)
    }

    /// Parses a name that the acting account wants to change: it must be in
    /// that account.
    fn parse_own(&self, input: &str, kind: ResourceKind) -> Result<ResourceName> {
        let name = self.parse(input, kind)?;
        if name.account() != &self.account {
            return Err(self.denied(&name));
        }
        Ok(name)
    }

    fn denied(&self, name: &ResourceName) -> Error {
        Error::PermissionDenied {
            name: name.to_string(),
            caller: self.account.to_string(),
        }
    }

    fn own_account(&self) -> Option<&Account> {
        self.accounts.get(&self.account)
    }

    fn deployment_entry(&self, name: &ResourceName) -> Result<&Deployment> {
        find_deployment(&self.accounts, name)
    }

    fn router_entry(&self, name: &ResourceName) -> Result<&RouterEntry> {
        self.accounts
            .get(name.account())
            .and_then(|a| a.routers.get(name.id()))
            .ok_or_else(|| Error::NotFound {
                name: name.to_string(),
            })
    }

    /// Draws an ID not yet used in `taken` (SPEC N3) from a copy of the ID
    /// generator; the caller commits the returned generator on success.
    fn generate_id<V>(
        &self,
        taken: Option<&OrderedMap<Id, V>>,
        kind: IdKind,
    ) -> Result<(Id, ChaCha8Rng)> {
        const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = self.id_rng.clone();
        loop {
            let id: String = (0..GENERATED_ID_LEN)
                .map(|_| char::from(ALPHABET[below(&mut rng, 36) as usize]))
                .collect();
            if taken.is_none_or(|t| !t.contains_key(id.as_str())) {
                return Ok((Id::new(&id, kind)?, rng));
            }
        }
    }

    // ----- deployments -----

    /// Creates a deployment in the acting account (SPEC D1, G3, G4).
    ///
    /// # Errors
    /// [`Error::InvalidName`] / [`Error::InvalidResourceName`] for a bad ID or
    /// model; [`Error::PermissionDenied`] for a name in another account;
    /// [`Error::AlreadyExists`]; [`Error::InvalidRegion`];
    /// [`Error::InvalidReplicaBounds`]; for direct routing
    /// [`Error::RegionRequired`], [`Error::UnsupportedRegion`], the API-key
    /// errors and [`Error::HandleTooLong`]. On error nothing changes.
    pub fn create_deployment(&mut self, spec: DeploymentSpec) -> Result<Deployment> {
        let taken = self.own_account().map(|a| &a.deployments);
        let (name, next_rng) = match &spec.id {
            Some(id) => (self.parse_own(id, ResourceKind::Deployment)?, None),
            None => {
                let (id, rng) = self.generate_id(taken, IdKind::Deployment)?;
                (
                    ResourceName::new(self.account.clone(), ResourceKind::Deployment, id),
                    Some(rng),
                )
            }
        };
        if taken.is_some_and(|t| t.contains_key(name.id())) {
            return Err(Error::AlreadyExists {
                name: name.to_string(),
            });
        }
        let model = self.parse(&spec.model, ResourceKind::Model)?;
        let placement = match &spec.region {
            None => Placement::MultiRegion,
            Some(r) => Placement::Region(Region::new(r)?),
        };
        let (min, max) = spec.bounds();
        check_bounds(min, max)?;
        let direct_route = match (&spec.direct_route_api_keys, &placement) {
            (None, _) => None,
            (Some(_), Placement::MultiRegion) => return Err(Error::RegionRequired),
            (Some(keys), Placement::Region(region)) => {
                let mut salts = self.salt_rng.clone();
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                let route = DirectRoute::with_salts(
                    region.clone(),
                    &keys,
                    &self.catalog,
                    &mut salts,
                    self.key_secret.as_ref(),
                )?;
                handle_label(&name)?;
                Some((route, salts))
            }
        };
        let (direct_route, next_salts) = direct_route.unzip();
        let deployment = Deployment {
            name: name.clone(),
            model,
            placement,
            direct_route,
            min_replicas: min,
            max_replicas: max,
            replicas: 1u32.clamp(min, max),
        };
        // Validated: commit.
        if let Some(rng) = next_rng {
            self.id_rng = rng;
        }
        if let Some(salts) = next_salts {
            self.salt_rng = salts;
        }
        self.put_deployment(deployment.clone());
        Ok(deployment)
    }

    /// A deployment of the acting account (deployments are private).
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::PermissionDenied`] for another account's.
    pub fn get_deployment(&self, name: &str) -> Result<&Deployment> {
        let name = self.parse_own(name, ResourceKind::Deployment)?;
        self.deployment_entry(&name)
    }

    /// Authorizes a request to a deployment's direct route against the
    /// registry's current state (SPEC G6) and returns the deployment.
    ///
    /// `target` is either the direct-route handle host the request went to
    /// (`my-account-abcd1234.us-arizona-1.direct.fireworks.ai`, any case) or
    /// the deployment's name (a full name of any account, or a bare ID of
    /// the acting account); `authorization` is the `Authorization` header
    /// value, as for [`DirectRoute::authorize`].
    ///
    /// Use this rather than a [`DirectRoute`] kept from
    /// [`Deployment::direct_route`]: that object is a snapshot, and keeps
    /// accepting its keys after the deployment is deleted or re-created with
    /// other keys.
    ///
    /// ```
    /// use replica_router::{DeploymentSpec, Error, Registry, Seed};
    /// let mut reg = Registry::new("acme", Seed::from_u64(1))?;
    /// let spec = DeploymentSpec::new("m").id("d1").region("US_ARIZONA_1").direct_route(["k1"]);
    /// reg.create_deployment(spec)?;
    /// let host = "acme-d1.us-arizona-1.direct.fireworks.ai";
    /// assert_eq!(reg.authorize_direct_route(host, Some("Bearer k1"))?.name().id().as_str(), "d1");
    /// assert_eq!(reg.authorize_direct_route("d1", Some("Bearer k2")), Err(Error::Forbidden));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] when no deployment has that handle, or the named
    /// deployment does not exist or has no direct route; name errors for a
    /// malformed name; then as [`DirectRoute::authorize`]:
    /// [`Error::Unauthenticated`], [`Error::Forbidden`].
    ///
    /// # Performance
    /// O(log n) lookups (at most one a `-` of the handle's first label) and
    /// one SHA-256.
    pub fn authorize_direct_route(
        &self,
        target: &str,
        authorization: Option<&str>,
    ) -> Result<&Deployment> {
        let (deployment, route) = if target.contains('.') {
            self.find_by_handle(target).ok_or_else(|| Error::NotFound {
                name: format!("direct route {}", crate::support::text::Quoted(target)),
            })?
        } else {
            let name = self.parse(target, ResourceKind::Deployment)?;
            let deployment = self.deployment_entry(&name)?;
            let route = deployment.direct_route().ok_or_else(|| Error::NotFound {
                name: format!("direct route of {name}"),
            })?;
            (deployment, route)
        };
        route.authorize(authorization)?;
        Ok(deployment)
    }

    /// The deployment whose direct-route handle is `host` (any case). The
    /// first label is `{account}-{deployment}` and both IDs may hold `-`,
    /// so each split is looked up and the whole handle compared.
    fn find_by_handle(&self, host: &str) -> Option<(&Deployment, &DirectRoute)> {
        let label = host.split('.').next()?;
        label
            .match_indices('-')
            .filter_map(|(i, _)| {
                let (account, id) = (&label[..i], &label[i + 1..]);
                let account = self.accounts.get(account.to_ascii_lowercase().as_str())?;
                account.deployments.get(id.to_ascii_lowercase().as_str())
            })
            .find_map(|d| {
                let route = d.direct_route()?;
                let handle = route.handle(d.name()).ok()?;
                handle.eq_ignore_ascii_case(host).then_some((d, route))
            })
    }

    /// The acting account's deployments, by name (SPEC T2).
    pub fn list_deployments(&self) -> impl ExactSizeIterator<Item = &Deployment> + '_ {
        self.own_account()
            .map(|a| a.deployments.values())
            .unwrap_or_default()
    }

    /// Updates a deployment's replica bounds (SPEC D2): the count becomes
    /// `clamp(current, min, max)` and the routers that list it rebuild their
    /// tables.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::PermissionDenied`];
    /// [`Error::InvalidReplicaBounds`] when the resulting `min > max`. On
    /// error nothing changes.
    ///
    /// # Performance
    /// O(1) expected, plus one table build per router that lists the
    /// deployment when its count changes (the registry indexes them; no scan
    /// of the account's routers).
    pub fn update_deployment(
        &mut self,
        name: &str,
        update: DeploymentUpdate,
    ) -> Result<Deployment> {
        let name = self.parse_own(name, ResourceKind::Deployment)?;
        let mut deployment = self.deployment_entry(&name)?.clone();
        let min = update.min_replicas.unwrap_or(deployment.min_replicas);
        let max = update.max_replicas.unwrap_or(deployment.max_replicas);
        deployment.set_bounds(min, max)?;
        self.put_deployment(deployment.clone());
        Ok(deployment)
    }

    /// Deletes a deployment (SPEC D3).
    ///
    /// # Errors
    /// [`Error::InUse`] naming the routers that list it; [`Error::NotFound`];
    /// [`Error::PermissionDenied`]. On error nothing changes.
    ///
    /// # Performance
    /// O(log n) (the registry indexes the routers that list each deployment;
    /// no scan of the account's routers), plus O(k log k) for an
    /// [`Error::InUse`] naming `k` routers.
    pub fn delete_deployment(&mut self, name: &str) -> Result<()> {
        let name = self.parse_own(name, ResourceKind::Deployment)?;
        self.deployment_entry(&name)?;
        // Found in no particular order, then put in name order.
        let found = self.users_of(&name);
        let mut keys: Vec<Keyed<'_>> = found
            .iter()
            .enumerate()
            .map(|(i, r)| (r.account().as_str(), r.id().as_str(), i))
            .collect();
        sort_keyed(&mut keys);
        let users: Vec<String> = keys.iter().map(|k| found[k.2].to_string()).collect();
        if !users.is_empty() {
            return Err(Error::InUse {
                deployment: name.to_string(),
                routers: users,
            });
        }
        self.take_deployment(&name);
        Ok(())
    }

    // ----- routers -----

    /// Resolves and validates a deployment list for a router of the acting
    /// account (SPEC R1, R2).
    fn resolve_deployments(&self, inputs: &[String]) -> Result<Vec<ResourceName>> {
        check_router_size(inputs.len())?;
        let mut names = Vec::with_capacity(inputs.len());
        for d in inputs {
            names.push(self.parse(d, ResourceKind::Deployment)?);
        }
        check_router_deployments(&names, &self.account, Some(&self.accounts))?;
        Ok(names)
    }

    fn resolve_model(&self, model: Option<&String>) -> Result<Option<ResourceName>> {
        model
            .map(|m| self.parse(m, ResourceKind::Model))
            .transpose()
    }

    /// Creates a router in the acting account (SPEC R1, R2, N3).
    ///
    /// # Errors
    /// [`Error::EmptyRouter`]; [`Error::DuplicateDeployment`];
    /// [`Error::NotFound`] for an unknown deployment;
    /// [`Error::ForeignDeployment`]; [`Error::NotMultiRegion`];
    /// [`Error::LimitExceeded`]; [`Error::AlreadyExists`];
    /// [`Error::InvalidDisplayName`]; name errors. On error nothing changes.
    pub fn create_router(&mut self, spec: RouterSpec) -> Result<Router> {
        let taken = self.own_account().map(|a| &a.routers);
        let (name, next_rng) = match &spec.id {
            Some(id) => (self.parse_own(id, ResourceKind::Router)?, None),
            None => {
                let (id, rng) = self.generate_id(taken, IdKind::Router)?;
                (
                    ResourceName::new(self.account.clone(), ResourceKind::Router, id),
                    Some(rng),
                )
            }
        };
        if taken.is_some_and(|t| t.contains_key(name.id())) {
            return Err(Error::AlreadyExists {
                name: name.to_string(),
            });
        }
        if let Some(d) = &spec.display_name {
            check_display_name(d)?;
        }
        let router = Router {
            deployments: self.resolve_deployments(&spec.deployments)?.into(),
            model: self.resolve_model(spec.model.as_ref())?,
            name,
            display_name: spec.display_name,
            strategy: spec.strategy,
            session_affinity: spec.session_affinity,
            public: spec.public,
            auto_generated: false,
        };
        if let Some(rng) = next_rng {
            self.id_rng = rng;
        }
        self.put_router(router.clone());
        Ok(router)
    }

    /// A router of the acting account, or a public router of any account.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::PermissionDenied`] for another account's
    /// private router.
    pub fn get_router(&self, name: &str) -> Result<&Router> {
        let name = self.parse(name, ResourceKind::Router)?;
        let entry = self.router_entry(&name)?;
        if name.account() != &self.account && !entry.router.public {
            return Err(self.denied(&name));
        }
        Ok(&entry.router)
    }

    /// A [`LoadTracker`] over the router's deployments, every count 0, for
    /// routing to an `even-load` router (SPEC R8). Its counts are in the
    /// router's deployment order, so routing to this router reads them by
    /// position, with no name comparison. After the router's deployment list
    /// changes, make a new one (a tracker over other deployments, say from
    /// [`LoadTracker::new`], still works while it covers the router's
    /// deployments with replicas, but is read by name, which is slower).
    ///
    /// # Errors
    /// As [`Registry::get_router`].
    pub fn load_tracker(&self, router: &str) -> Result<LoadTracker> {
        let router = self.get_router(router)?;
        Ok(LoadTracker::new(router.deployments.iter().cloned()))
    }

    /// The acting account's routers, by name (SPEC T2).
    pub fn list_routers(&self) -> impl ExactSizeIterator<Item = &Router> + '_ {
        self.own_account()
            .map(|a| a.routers.values())
            .unwrap_or_default()
            .map(|e| &e.router)
    }

    /// Updates a router (SPEC R3): only the fields given change.
    ///
    /// # Errors
    /// As [`Registry::create_router`], plus [`Error::NotFound`],
    /// [`Error::PermissionDenied`] and [`Error::ReadOnlyRouter`] for a router
    /// the platform generated (SPEC P1). On error nothing changes.
    pub fn update_router(&mut self, name: &str, update: RouterUpdate) -> Result<Router> {
        let name = self.parse_own(name, ResourceKind::Router)?;
        let mut router = self.router_entry(&name)?.router.clone();
        check_writable(&router)?;
        if let Some(d) = &update.display_name {
            check_display_name(d)?;
        }
        if let Some(deployments) = &update.deployments {
            router.deployments = self.resolve_deployments(deployments)?.into();
        }
        if update.clear_model {
            router.model = None;
        }
        if let Some(model) = self.resolve_model(update.model.as_ref())? {
            router.model = Some(model);
        }
        if update.clear_display_name {
            router.display_name = None;
        }
        if let Some(d) = update.display_name {
            router.display_name = Some(d);
        }
        if let Some(s) = update.strategy {
            router.strategy = s;
        }
        if let Some(on) = update.session_affinity {
            router.session_affinity = on;
        }
        if let Some(p) = update.public {
            router.public = p;
        }
        self.put_router(router.clone());
        Ok(router)
    }

    /// Deletes a router; routing to it fails at once (SPEC R4).
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::PermissionDenied`];
    /// [`Error::ReadOnlyRouter`] for a router the platform generated (SPEC
    /// P1). On error nothing changes.
    pub fn delete_router(&mut self, name: &str) -> Result<()> {
        let name = self.parse_own(name, ResourceKind::Router)?;
        check_writable(&self.router_entry(&name)?.router)?;
        self.take_router(&name);
        Ok(())
    }

    /// The router's exact traffic split (SPEC R5): each deployment gets
    /// `replicas / total`, in the router's order.
    ///
    /// # Errors
    /// As [`Registry::get_router`], plus [`Error::NoCapacity`] when the total
    /// is 0.
    pub fn traffic_split(&self, router: &str) -> Result<TrafficSplit> {
        let router = self.get_router(router)?;
        let deployments = self
            .accounts
            .get(router.name.account())
            .map(|a| &a.deployments);
        let replicas_of = |d: &ResourceName| {
            deployments
                .and_then(|m| m.get(d.id()))
                .map_or(0, |d| d.replicas)
        };
        let total: u64 = router
            .deployments
            .iter()
            .map(|d| u64::from(replicas_of(d)))
            .sum();
        if total == 0 {
            return Err(Error::NoCapacity {
                name: router.name.to_string(),
            });
        }
        let mut shares = Vec::with_capacity(router.deployments.len());
        for d in router.deployments.iter() {
            let replicas = replicas_of(d);
            shares.push(Share {
                deployment: d.clone(),
                replicas,
                fraction: Fraction::new(u64::from(replicas), total).unwrap_or(Fraction::ZERO),
            });
        }
        Ok(TrafficSplit {
            router: router.name.clone(),
            total_replicas: total,
            shares,
        })
    }
}

/// The routing state for the router's strategy over its replica counts
/// (SPEC R7); `None` when they sum to 0 (SPEC R5).
fn build_table(router: &Router, deployments: &OrderedMap<Id, Deployment>) -> Option<RouterTable> {
    let mut weights = Vec::with_capacity(router.deployments.len());
    for d in router.deployments.iter() {
        weights.push(deployments.get(d.id()).map_or(0, |d| d.replicas));
    }
    RouterTable::build(
        router.strategy,
        router.session_affinity,
        &router.deployments,
        &weights,
    )
}

/// SPEC P1: a router the platform generated is read-only.
fn check_writable(router: &Router) -> Result<()> {
    if router.auto_generated {
        return Err(Error::ReadOnlyRouter {
            name: router.name.to_string(),
        });
    }
    Ok(())
}

fn check_router_size(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::EmptyRouter);
    }
    if n > MAX_ROUTER_DEPLOYMENTS {
        return Err(Error::LimitExceeded {
            what: "deployments per router",
            limit: MAX_ROUTER_DEPLOYMENTS,
            got: n,
        });
    }
    Ok(())
}

/// SPEC R1, R2 for a router of `router_account`: one or more distinct
/// deployments, each existing, of the router's account and multi-region.
/// Shared by live operations and snapshot loading. Without `accounts` (a
/// router deserialized alone) existence and placement are not checked.
fn check_router_deployments(
    names: &[ResourceName],
    router_account: &Id,
    accounts: Option<&OrderedMap<Id, Account>>,
) -> Result<()> {
    check_router_size(names.len())?;
    // The first name repeating an earlier one; reported where the loop
    // reaches it, so errors come in list order as with a running set.
    let mut keys: Vec<Keyed<'_>> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.account().as_str(), n.id().as_str(), i))
        .collect();
    let repeat = sort_find_repeat(&mut keys);
    for (i, name) in names.iter().enumerate() {
        if name.account() != router_account {
            return Err(Error::ForeignDeployment {
                deployment: name.to_string(),
                router_account: router_account.to_string(),
            });
        }
        if let Some(accounts) = accounts
            && let Placement::Region(region) = &find_deployment(accounts, name)?.placement
        {
            return Err(Error::NotMultiRegion {
                deployment: name.to_string(),
                region: region.to_string(),
            });
        }
        if repeat == Some(i) {
            return Err(Error::DuplicateDeployment {
                deployment: name.to_string(),
            });
        }
    }
    Ok(())
}

fn find_deployment<'a>(
    accounts: &'a OrderedMap<Id, Account>,
    name: &ResourceName,
) -> Result<&'a Deployment> {
    accounts
        .get(name.account())
        .and_then(|a| a.deployments.get(name.id()))
        .ok_or_else(|| Error::NotFound {
            name: name.to_string(),
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// `my-account` with multi-region `a`, `b`, regional `pinned`, and
    /// `other/x`.
    fn registry() -> Registry {
        let mut reg = Registry::new("other", 1).unwrap();
        reg.create_deployment(DeploymentSpec::new("m").id("x"))
            .unwrap();
        reg.set_account("my-account").unwrap();
        for id in ["b", "a"] {
            reg.create_deployment(DeploymentSpec::new("m").id(id))
                .unwrap();
        }
        reg.create_deployment(DeploymentSpec::new("m").id("pinned").region("US_IOWA_1"))
            .unwrap();
        reg
    }

    fn code(reg: &mut Registry, deployments: &[&str]) -> &'static str {
        reg.create_router(RouterSpec::new(deployments.iter().copied()))
            .unwrap_err()
            .code()
    }

    /// SPEC R1, R2: the first offending entry in list order decides the
    /// error, as with a running set of seen names.
    #[test]
    fn r1_r2_errors_come_in_list_order() {
        let mut reg = registry();
        let foreign = "accounts/other/deployments/x";
        assert_eq!(code(&mut reg, &["a", "a", foreign]), "DUPLICATE_DEPLOYMENT");
        assert_eq!(code(&mut reg, &["a", foreign, "a"]), "FOREIGN_DEPLOYMENT");
        assert_eq!(code(&mut reg, &["a", "missing", "a"]), "NOT_FOUND");
        assert_eq!(
            code(&mut reg, &["a", "a", "missing"]),
            "DUPLICATE_DEPLOYMENT"
        );
        assert_eq!(
            code(&mut reg, &["b", "a", "pinned", "a"]),
            "NOT_MULTI_REGION"
        );
        let err = reg
            .create_router(RouterSpec::new(["a", "b", "b", "a"]))
            .unwrap_err();
        assert_eq!(
            err,
            Error::DuplicateDeployment {
                deployment: "accounts/my-account/deployments/b".into()
            }
        );
        // A full name and a bare ID of the same deployment are one name.
        let err = reg
            .create_router(RouterSpec::new(["b", "accounts/my-account/deployments/b"]))
            .unwrap_err();
        assert_eq!(err.code(), "DUPLICATE_DEPLOYMENT");
        assert_eq!(reg.list_routers().len(), 0);
    }

    /// SPEC D3: a deployment in use names its routers in name order,
    /// whatever the creation order and after deletions reuse storage.
    #[test]
    fn d3_in_use_lists_routers_in_name_order() {
        let mut reg = registry();
        for id in ["r9", "r1", "r5", "r0"] {
            reg.create_router(RouterSpec::new(["a"]).id(id)).unwrap();
        }
        reg.delete_router("r1").unwrap();
        reg.create_router(RouterSpec::new(["a", "b"]).id("r7"))
            .unwrap();
        reg.create_router(RouterSpec::new(["b"]).id("r2")).unwrap();
        let names = |ids: &[&str]| -> Vec<String> {
            ids.iter()
                .map(|id| format!("accounts/my-account/routers/{id}"))
                .collect()
        };
        assert_eq!(
            reg.delete_deployment("a").unwrap_err(),
            Error::InUse {
                deployment: "accounts/my-account/deployments/a".into(),
                routers: names(&["r0", "r5", "r7", "r9"]),
            }
        );
        assert_eq!(
            reg.delete_deployment("b").unwrap_err(),
            Error::InUse {
                deployment: "accounts/my-account/deployments/b".into(),
                routers: names(&["r2", "r7"]),
            }
        );
    }

    /// SPEC T2: listings are by ID whatever the creation order; changes and
    /// deletions keep that order and lookups working.
    #[test]
    fn t2_listings_stay_sorted_through_changes() {
        let mut reg = registry();
        for id in ["r9", "r1", "r5"] {
            reg.create_router(RouterSpec::new(["a"]).id(id)).unwrap();
        }
        let ids = |reg: &Registry| -> Vec<String> {
            reg.list_routers()
                .map(|r| r.name.id().to_string())
                .collect()
        };
        assert_eq!(ids(&reg), ["r1", "r5", "r9"]);
        reg.update_router("r5", RouterUpdate::default().public(true))
            .unwrap();
        reg.delete_router("r1").unwrap();
        reg.create_router(RouterSpec::new(["b"]).id("r0")).unwrap();
        assert_eq!(ids(&reg), ["r0", "r5", "r9"]);
        assert!(reg.get_router("r5").unwrap().public);
        assert_eq!(reg.get_router("r1").unwrap_err().code(), "NOT_FOUND");
        let deployments: Vec<&str> = reg
            .list_deployments()
            .map(|d| d.name.id().as_str())
            .collect();
        assert_eq!(deployments, ["a", "b", "pinned"]);
        reg.delete_deployment("pinned").unwrap();
        assert_eq!(reg.list_deployments().len(), 2);
        // Another account's public router routes; its deployments stay apart.
        reg.set_account("other").unwrap();
        assert_eq!(reg.list_deployments().len(), 1);
        let picked = reg
            .route("accounts/my-account/routers/r5", "other")
            .unwrap();
        assert_eq!(picked.to_string(), "accounts/my-account/deployments/a");
    }
}
