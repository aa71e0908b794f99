//! Zero-downtime migration plans (SPEC M1-M6): `MigrationPlan`,
//! `MigrationStep`, `MigrationAction`, and the request conversion used by
//! `Registry.plan_migration`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use replica_router::limits::MAX_TRAFFIC_STEPS;
use replica_router::{
    DeploymentState, MigrationAction, MigrationPlan, MigrationStep, PlanKind, PlanState, Schedule,
};

use crate::args::{opt_uint, u32_seq, uint};
use crate::errors::OrRaise;
use crate::names::Text;
use crate::share::fraction;

/// The schedule from `plan_migration`'s two keyword arguments: exactly one
/// must be given (an argument-shape rule, so a `TypeError`). `traffic_steps`
/// is checked against
/// [`MAX_TRAFFIC_STEPS`](replica_router::limits::MAX_TRAFFIC_STEPS) before
/// it is converted.
pub(crate) fn schedule(
    traffic_steps: Option<&Bound<'_, PyAny>>,
    max_step_percent: Option<&Bound<'_, PyAny>>,
) -> PyResult<Schedule> {
    let traffic_steps = traffic_steps.filter(|s| !s.is_none());
    match (
        traffic_steps,
        opt_uint::<u32>(max_step_percent, "max_step_percent")?,
    ) {
        (Some(steps), None) => Ok(Schedule::Steps(u32_seq(
            steps,
            "traffic_steps",
            "items in traffic_steps",
            MAX_TRAFFIC_STEPS,
        )?)),
        (None, Some(max)) => Ok(Schedule::MaxStep(max)),
        (Some(_), Some(_)) => Err(PyTypeError::new_err(
            "plan_migration() takes traffic_steps or max_step_percent, not both",
        )),
        (None, None) => Err(PyTypeError::new_err(
            "plan_migration() needs traffic_steps=[...] or max_step_percent=N",
        )),
    }
}

fn schedule_dict<'py>(py: Python<'py>, schedule: &Schedule) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match schedule {
        Schedule::Steps(steps) => d.set_item("steps", steps.clone())?,
        Schedule::MaxStep(max) => d.set_item("max_step", *max)?,
    }
    Ok(d)
}

fn deployment_state<'py>(py: Python<'py>, s: &DeploymentState) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("exists", s.exists)?;
    d.set_item("in_router", s.in_router)?;
    d.set_item("replicas", s.replicas)?;
    d.set_item("min_replicas", s.min_replicas)?;
    d.set_item("max_replicas", s.max_replicas)?;
    Ok(d)
}

fn plan_state<'py>(py: Python<'py>, s: &PlanState) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("from", deployment_state(py, &s.from)?)?;
    d.set_item("to", deployment_state(py, &s.to)?)?;
    d.set_item("serving", s.serving())?;
    d.set_item("total", s.total())?;
    d.set_item("to_share", fraction(py, s.to_share())?)?;
    Ok(d)
}

/// One action of a plan (SPEC M2), mapping to one reference CLI command.
///
/// ``kind`` is ``'create_deployment'``, ``'add_to_router'``,
/// ``'set_replica_bounds'``, ``'remove_from_router'`` or
/// ``'delete_deployment'``; the other properties are None where the kind has
/// no such field.
///
///     >>> from replica_router import Registry
///     >>> reg = Registry("my-account", seed=1)
///     >>> _ = reg.create_deployment("m", id="current-deployment", min_replicas=4, max_replicas=4)
///     >>> _ = reg.create_router(["current-deployment"], id="my-router")
///     >>> plan = reg.plan_migration("my-router", "current-deployment", "new-deployment",
///     ...                           target_replicas=4, traffic_steps=[20, 80, 100])
///     >>> action = plan.steps[0].actions[0]
///     >>> action.kind, action.deployment, action.replicas
///     ('create_deployment', 'accounts/my-account/deployments/new-deployment', 1)
#[pyclass(module = "replica_router", name = "MigrationAction", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyMigrationAction {
    inner: MigrationAction,
}

#[pymethods]
impl PyMigrationAction {
    /// The action's kind, e.g. ``'set_replica_bounds'``: the same name as
    /// the plan JSON's ``"action"`` tag (core's ``ActionKind``).
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// The deployment acted on (full name).
    #[getter]
    fn deployment(&self) -> Option<String> {
        match &self.inner {
            MigrationAction::CreateDeployment { deployment, .. }
            | MigrationAction::AddToRouter { deployment, .. }
            | MigrationAction::SetReplicaBounds { deployment, .. }
            | MigrationAction::RemoveFromRouter { deployment, .. }
            | MigrationAction::DeleteDeployment { deployment } => Some(deployment.to_string()),
            _ => None,
        }
    }

    /// The router (``add_to_router``, ``remove_from_router``).
    #[getter]
    fn router(&self) -> Option<String> {
        match &self.inner {
            MigrationAction::AddToRouter { router, .. }
            | MigrationAction::RemoveFromRouter { router, .. } => Some(router.to_string()),
            _ => None,
        }
    }

    /// The router's deployments afterwards (``add_to_router``,
    /// ``remove_from_router``).
    #[getter]
    fn deployments(&self) -> Option<Vec<String>> {
        match &self.inner {
            MigrationAction::AddToRouter { deployments, .. }
            | MigrationAction::RemoveFromRouter { deployments, .. } => {
                Some(deployments.iter().map(ToString::to_string).collect())
            }
            _ => None,
        }
    }

    /// The model of a created deployment (``create_deployment``).
    #[getter]
    fn model(&self) -> Option<String> {
        match &self.inner {
            MigrationAction::CreateDeployment { model, .. } => Some(model.to_string()),
            _ => None,
        }
    }

    /// The replica count of a created deployment (``create_deployment``).
    #[getter]
    fn replicas(&self) -> Option<u32> {
        match &self.inner {
            MigrationAction::CreateDeployment { replicas, .. } => Some(*replicas),
            _ => None,
        }
    }

    /// The new minimum (``set_replica_bounds``).
    #[getter]
    fn min_replicas(&self) -> Option<u32> {
        match &self.inner {
            MigrationAction::SetReplicaBounds { min_replicas, .. } => Some(*min_replicas),
            _ => None,
        }
    }

    /// The new maximum (``set_replica_bounds``).
    #[getter]
    fn max_replicas(&self) -> Option<u32> {
        match &self.inner {
            MigrationAction::SetReplicaBounds { max_replicas, .. } => Some(*max_replicas),
            _ => None,
        }
    }

    /// The reference CLI command for this action, on one line (SPEC M6).
    fn firectl_command(&self) -> String {
        self.inner.firectl_command()
    }

    /// A plain dict: ``kind`` and the fields the kind has.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", self.kind())?;
        let fields = [
            ("deployment", self.deployment().into_pyobject(py)?),
            ("router", self.router().into_pyobject(py)?),
            ("deployments", self.deployments().into_pyobject(py)?),
            ("model", self.model().into_pyobject(py)?),
            ("replicas", self.replicas().into_pyobject(py)?),
            ("min_replicas", self.min_replicas().into_pyobject(py)?),
            ("max_replicas", self.max_replicas().into_pyobject(py)?),
        ];
        for (key, value) in fields {
            if !value.is_none() {
                d.set_item(key, value)?;
            }
        }
        Ok(d)
    }

    /// A readable description, e.g. ``'scale new-deployment to 4 replicas'``.
    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let text = pyo3::types::PyString::new(py, &self.inner.to_string()).repr()?;
        Ok(format!("MigrationAction({text})"))
    }
}

/// One step of a plan (SPEC M2): its ordered actions, then the state, the
/// router's exact split and ``to``'s realised share after it.
#[pyclass(module = "replica_router", name = "MigrationStep", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyMigrationStep {
    inner: MigrationStep,
}

#[pymethods]
impl PyMigrationStep {
    /// The share of the from+to traffic this step aimed at for ``to``.
    #[getter]
    fn requested_share<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        fraction(py, self.inner.requested_share)
    }

    /// ``to``'s realised share of the from+to traffic after the step.
    #[getter]
    fn to_share<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        fraction(py, self.inner.to_share)
    }

    /// The actions as operations (SPEC P3), in order.
    fn operations(&self) -> Vec<crate::platform::PyOperation> {
        crate::platform::operations(self.inner.operations())
    }

    /// The actions, in order.
    #[getter]
    fn actions(&self) -> Vec<PyMigrationAction> {
        self.inner
            .actions
            .iter()
            .map(|a| PyMigrationAction { inner: a.clone() })
            .collect()
    }

    /// ``to``'s replicas after the step.
    #[getter]
    fn to_replicas(&self) -> u32 {
        self.inner.to_replicas()
    }

    /// ``from``'s replicas after the step.
    #[getter]
    #[allow(clippy::wrong_self_convention)] // core's name, not a conversion
    fn from_replicas(&self) -> u32 {
        self.inner.from_replicas()
    }

    /// ``from`` and ``to`` after the step, as a dict: ``from`` and ``to``
    /// (``exists``, ``in_router``, ``replicas``, ``min_replicas``,
    /// ``max_replicas``), ``serving``, ``total``, ``to_share``.
    #[getter]
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        plan_state(py, &self.inner.state)
    }

    /// The router's exact split after the step, in the router's order:
    /// ``(deployment, replicas, fractions.Fraction)`` tuples.
    #[getter]
    fn split<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows = self
            .inner
            .split
            .iter()
            .map(|s| Ok((s.deployment.to_string(), s.replicas, fraction(py, s.share)?)))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, rows)
    }

    /// This step's actions as reference CLI commands.
    fn firectl_commands(&self) -> Vec<String> {
        self.inner.firectl_commands()
    }

    /// A plain dict of the step (actions as dicts).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("requested_share", self.requested_share(py)?)?;
        let actions = self
            .actions()
            .iter()
            .map(|a| a.to_dict(py))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("actions", actions)?;
        d.set_item("state", self.state(py)?)?;
        d.set_item("split", self.split(py)?)?;
        d.set_item("to_share", self.to_share(py)?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let s = &self.inner;
        format!(
            "MigrationStep(to_share={}, to_replicas={}, from_replicas={}, actions={})",
            s.to_share,
            s.to_replicas(),
            s.from_replicas(),
            s.actions.len()
        )
    }
}

/// A zero-downtime migration plan (SPEC M1-M6): ordered steps that move a
/// router's traffic from one deployment to another without ever dropping
/// below the capacity floor or above the surge ceiling. A plan never changes
/// a registry; :meth:`Registry.apply_step` applies one step.
///
/// Example (the reference's, SPEC M5):
///
///     >>> from replica_router import Registry
///     >>> reg = Registry("my-account", seed=1)
///     >>> _ = reg.create_deployment("m", id="current-deployment", min_replicas=4, max_replicas=4)
///     >>> _ = reg.create_router(["current-deployment"], id="my-router")
///     >>> plan = reg.plan_migration("my-router", "current-deployment", "new-deployment",
///     ...                           target_replicas=4, traffic_steps=[20, 80, 100])
///     >>> [(s.to_replicas, s.from_replicas) for s in plan.steps]
///     [(1, 4), (4, 1), (4, 0)]
///     >>> for i in range(len(plan)):
///     ...     reg.apply_step(plan, i)
///     >>> reg.get_router("my-router").deployments
///     ['accounts/my-account/deployments/new-deployment']
#[pyclass(module = "replica_router", name = "MigrationPlan", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyMigrationPlan {
    pub(crate) inner: MigrationPlan,
}

impl From<MigrationPlan> for PyMigrationPlan {
    fn from(inner: MigrationPlan) -> Self {
        PyMigrationPlan { inner }
    }
}

impl PyMigrationPlan {
    fn step_list(&self) -> Vec<PyMigrationStep> {
        self.inner
            .steps()
            .iter()
            .map(|s| PyMigrationStep { inner: s.clone() })
            .collect()
    }
}

#[pymethods]
impl PyMigrationPlan {
    /// ``'migration'`` or ``'rollback'``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// For a rollback, the step of the rolled-back plan it starts after.
    #[getter]
    fn rollback_after_step(&self) -> Option<usize> {
        match self.inner.kind() {
            PlanKind::Rollback { after_step } => Some(after_step),
            PlanKind::Migration => None,
        }
    }

    /// The router.
    #[getter]
    fn router(&self) -> String {
        self.inner.router().to_string()
    }

    /// The deployment traffic moves away from (``from`` is a keyword).
    #[getter]
    #[allow(clippy::wrong_self_convention)] // `from` in Python is a keyword
    fn from_(&self) -> String {
        self.inner.from().to_string()
    }

    /// The deployment traffic moves to.
    #[getter]
    fn to(&self) -> String {
        self.inner.to().to_string()
    }

    /// The model a deployment created by the plan gets.
    #[getter]
    fn model(&self) -> String {
        self.inner.model().to_string()
    }

    /// ``to``'s replicas at the end.
    #[getter]
    fn target_replicas(&self) -> u32 {
        self.inner.target_replicas()
    }

    /// The capacity floor (requested or default).
    #[getter]
    fn min_total_replicas(&self) -> u32 {
        self.inner.min_total_replicas()
    }

    /// The floor the actions keep: ``min_total_replicas``, or the from+to
    /// replicas serving at the start when fewer (at least 1 when nothing
    /// else serves).
    #[getter]
    fn effective_floor(&self) -> u32 {
        self.inner.effective_floor()
    }

    /// The surge ceiling, or None.
    #[getter]
    fn max_total_replicas(&self) -> Option<u32> {
        self.inner.max_total_replicas()
    }

    /// The schedule: ``{'steps': [...]}`` or ``{'max_step': n}``.
    #[getter]
    fn schedule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        schedule_dict(py, self.inner.schedule())
    }

    /// The router's other deployments, untouched: ``(name, replicas)``.
    #[getter]
    fn others(&self) -> Vec<(String, u32)> {
        self.inner
            .others()
            .iter()
            .map(|o| (o.deployment.to_string(), o.replicas))
            .collect()
    }

    /// ``from`` and ``to`` before the first step (see
    /// :attr:`MigrationStep.state`).
    #[getter]
    fn initial<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        plan_state(py, self.inner.initial())
    }

    /// The steps, in order.
    #[getter]
    fn steps(&self) -> Vec<PyMigrationStep> {
        self.step_list()
    }

    /// Every action of every step as an operation, in order (SPEC P3): the
    /// plan as ``firectl`` commands and as REST requests.
    fn operations(&self) -> Vec<crate::platform::PyOperation> {
        crate::platform::operations(self.inner.operations())
    }

    /// Every action as a reference CLI command, in order (SPEC M5, M6).
    fn firectl_commands(&self) -> Vec<String> {
        self.inner.firectl_commands()
    }

    /// The plan as a readable table, one row per step; also ``str(plan)``.
    /// The first row, ``start``, is the initial state; step rows are
    /// numbered from 0, like ``plan[i]``, ``apply_step(plan, i)`` and
    /// ``rollback(i)``.
    fn table(&self) -> String {
        self.inner.table()
    }

    /// A plan from the state after step ``after_step`` (numbered from 0:
    /// ``rollback(0)`` starts after ``plan[0]``) straight back to the
    /// initial state under the same invariants (SPEC M6).
    ///
    /// Raises ValidationError (``STEP_OUT_OF_RANGE``, ``LIMIT_EXCEEDED``;
    /// ``OUT_OF_RANGE`` for a negative ``after_step``).
    fn rollback(&self, py: Python<'_>, after_step: &Bound<'_, PyAny>) -> PyResult<Self> {
        let after_step = uint::<usize>(after_step, "after_step")?;
        Ok(self.inner.rollback(after_step).or_raise(py)?.into())
    }

    /// The plan as JSON; :meth:`from_json` gives back an equal plan.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Loads and checks a plan written by :meth:`to_json`.
    ///
    /// Raises ValidationError for malformed JSON or an inconsistent plan.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: Text) -> PyResult<Self> {
        // Parsing runs with the GIL released, like Registry.from_json.
        let plan = py
            .detach(|| MigrationPlan::from_json(json.as_str()))
            .or_raise(py)?;
        Ok(plan.into())
    }

    /// A plain dict of the plan (steps as dicts).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", self.kind())?;
        d.set_item("router", self.router())?;
        d.set_item("from", self.from_())?;
        d.set_item("to", self.to())?;
        d.set_item("model", self.model())?;
        d.set_item("target_replicas", self.target_replicas())?;
        d.set_item("min_total_replicas", self.min_total_replicas())?;
        d.set_item("max_total_replicas", self.max_total_replicas())?;
        d.set_item("schedule", self.schedule(py)?)?;
        d.set_item("initial", self.initial(py)?)?;
        let steps = self
            .step_list()
            .iter()
            .map(|s| s.to_dict(py))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("steps", steps)?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.inner.steps().len()
    }

    /// ``plan[i]``: step ``i`` (numbered from 0 like every step index;
    /// negative indices count from the end).
    fn __getitem__(&self, index: isize) -> PyResult<PyMigrationStep> {
        let steps = self.inner.steps();
        let i = if index < 0 {
            steps.len().checked_sub(index.unsigned_abs())
        } else {
            Some(index.unsigned_abs())
        };
        i.and_then(|i| steps.get(i))
            .map(|s| PyMigrationStep { inner: s.clone() })
            .ok_or_else(|| {
                pyo3::exceptions::PyIndexError::new_err(format!(
                    "step index out of range: the plan has {} steps, numbered from 0",
                    steps.len()
                ))
            })
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self.step_list())?.try_iter()?.into_any())
    }

    fn __str__(&self) -> String {
        self.inner.table()
    }

    fn __repr__(&self) -> String {
        format!(
            "MigrationPlan(kind='{}', router='{}', from_='{}', to='{}', steps={})",
            self.kind(),
            self.inner.router(),
            self.inner.from(),
            self.inner.to(),
            self.inner.steps().len()
        )
    }
}
