//! The gate every guarded tool passes: load the policy (fresh each time),
//! evaluate the tool, reserve a slot in its counters, and write the audit
//! line before the tool runs. Any fault refuses the call with a reason
//! naming the cause; a decision that cannot be audited is refused and
//! nothing is counted.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::paths::Paths;

use super::admission::{Admission, Stage};
use super::arguments::ArgumentsDigest;
use super::audit::{self, AuditEntry, Caller, Counting, Decision};
use super::call::ToolCall;
use super::clock::{Clock, SystemClock};
use super::counters::Counters;
use super::rate_limit::{ClockNote, Verdict};
use super::rules::{Evaluation, Limit};
use super::source::PolicySource;
use super::spec::ToolName;

/// A refused call: the rule, the reason and, for limits, when to retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Denial {
    /// The tool that was refused.
    pub tool: String,
    /// The rule that refused it (`default`, `tools.X.deny`,
    /// `tools.X.limits[0]`, `tools.X.require_approval`, `policy`, `counters`).
    pub rule: String,
    /// Why, and what to do.
    pub reason: String,
    /// For a full limit: whole seconds until a call would be admitted.
    pub retry_after_secs: Option<u64>,
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (rule {})", self.tool, self.reason, self.rule)
    }
}

/// What `policy check` reports for one tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The tool.
    pub tool: String,
    /// What a call now would get (approval aside).
    pub decision: Decision,
    /// The deciding rule.
    pub rule: String,
    /// For a denial: why.
    pub reason: Option<String>,
    /// For a full limit: seconds until a call would be admitted.
    pub retry_after_secs: Option<u64>,
    /// A confirmation window would ask the person first.
    pub require_approval: bool,
    /// Each limit and how much of it is used now.
    pub limits: Vec<LimitUsage>,
    /// The policy file, or `built-in`.
    pub policy: String,
}

/// One limit's use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitUsage {
    /// The rule (`tools.X.limits[0]`).
    pub rule: String,
    /// "10 per minute".
    pub limit: String,
    /// Calls counted in the current window.
    pub used: u32,
}

/// The policy gate of one set of directories.
#[derive(Debug, Clone)]
pub struct Guard {
    paths: Paths,
    source: PolicySource,
    counters: Counters,
    clock: Arc<dyn Clock>,
}

impl Guard {
    /// The gate using `source` and the counters and audit log under `paths`.
    pub fn new(paths: &Paths, source: PolicySource) -> Self {
        Self {
            paths: paths.clone(),
            source,
            counters: Counters::new(paths),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same gate reading the clocks from `clock` (tests inject one).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Decides one tool call by `caller` (e.g. one MCP `tools/call`),
    /// reserving a slot in its limits. A refusal is audited here. An
    /// admission is audited here too, unless the policy asks for approval:
    /// then [`Guard::approved`] audits it once the person said yes.
    pub fn admit_call(&self, call: &ToolCall, caller: Caller) -> Result<Admission, Denial> {
        let digest = call.arguments.as_ref().map(ArgumentsDigest::of);
        let mut admission = self
            .try_admit(call, caller, digest.as_ref())
            .map_err(|denial| {
                let mut denial = denial;
                self.audit_denial(caller, &mut denial, digest.as_ref());
                denial
            })?;
        if !admission.require_approval {
            self.start(&mut admission)?;
        }
        Ok(admission)
    }

    /// The person approved: audits the admission, after which the tool
    /// may run.
    pub fn approved(&self, mut admission: Admission) -> Result<Admission, Denial> {
        if admission.stage == Stage::AwaitingApproval {
            admission
                .notes
                .insert(0, "approved in the confirmation window".into());
            self.start(&mut admission)?;
        }
        Ok(admission)
    }

    fn try_admit(
        &self,
        call: &ToolCall,
        caller: Caller,
        digest: Option<&ArgumentsDigest>,
    ) -> Result<Admission, Denial> {
        let tool = &call.tool;
        let permit = self.evaluate(call)?;
        let mut admission = Admission {
            guard: self.clone(),
            tool: tool.clone(),
            caller,
            rule: permit.rule.clone(),
            limits: permit.limits.clone(),
            arguments: digest.cloned(),
            stamp_ms: None,
            notes: Vec::new(),
            stage: Stage::AwaitingApproval,
            require_approval: permit.require_approval,
        };
        if admission.limits.is_empty() {
            return Ok(admission);
        }
        let refuse = |mut admission: Admission, denial: Denial| {
            admission.stage = Stage::Settled;
            Err(denial)
        };
        let (verdict, repair) = match self.counters.reserve(&self.clock.now(), &admission.limits) {
            Ok(decided) => decided,
            Err(error) => {
                return refuse(admission, denial(tool, "counters", error.to_string(), None));
            }
        };
        admission.notes.extend(repair);
        match verdict {
            Verdict::Admit {
                stamp_ms, clock, ..
            } => {
                admission.stamp_ms = Some(stamp_ms);
                admission.notes.extend(describe_clock(clock));
                Ok(admission)
            }
            Verdict::Refuse {
                limit,
                retry_after_ms,
                clock,
                ..
            } => {
                let mut denial = permit.limit_denial(tool, &limit, retry_after_ms);
                admission.notes.extend(describe_clock(clock));
                for note in &admission.notes {
                    denial.reason = format!("{}; {note}", denial.reason);
                }
                refuse(admission, denial)
            }
        }
    }

    /// Writes the allow line; when it cannot be written, takes the slot
    /// back and refuses with the cause.
    fn start(&self, admission: &mut Admission) -> Result<(), Denial> {
        let reason = (!admission.notes.is_empty()).then(|| admission.notes.join("; "));
        let entry = self.entry(admission, Decision::Allow, reason);
        match self.append(&entry, admission, false) {
            Ok(()) => {
                admission.stage = Stage::Running;
                Ok(())
            }
            Err(error) => {
                self.release(admission);
                admission.stage = Stage::Settled;
                Err(denial(
                    &admission.tool,
                    "audit",
                    format!(
                        "the decision could not be written to the audit log ({error}); nothing was counted; make the state directory writable (or pass --state-dir)"
                    ),
                    None,
                ))
            }
        }
    }

    /// The tool ran (`note`, e.g. "opened the window"): the admission is
    /// settled and stays counted. Its allow line was written when it was
    /// admitted.
    pub fn confirm(&self, mut admission: Admission, note: &str) {
        tracing::debug!("{}: {note}", admission.tool);
        admission.stage = Stage::Settled;
    }

    /// The approval the policy asks for was not given (`reason`): takes
    /// the slot back and audits the refusal.
    pub fn decline(&self, mut admission: Admission, reason: &str) -> Denial {
        self.decline_in_place(&mut admission, reason)
    }

    pub(super) fn decline_in_place(&self, admission: &mut Admission, reason: &str) -> Denial {
        self.release(admission);
        admission.stage = Stage::Settled;
        let mut denial = denial(
            &admission.tool,
            &format!("{}.require_approval", admission.rule),
            reason.to_owned(),
            None,
        );
        self.audit_denial(admission.caller, &mut denial, admission.arguments.as_ref());
        denial
    }

    /// The tool could not run (`why`): takes the slot back, so the failed
    /// attempt is not counted, and audits that it did not run.
    pub fn abandon(&self, mut admission: Admission, why: &str) {
        self.abandon_in_place(&mut admission, why);
    }

    pub(super) fn abandon_in_place(&self, admission: &mut Admission, why: &str) {
        self.release(admission);
        admission.stage = Stage::Settled;
        let reason = format!("allowed, but it did not run ({why}); not counted");
        let entry = self.entry(admission, Decision::Allow, Some(reason));
        if let Err(error) = self.append(&entry, admission, true) {
            tracing::warn!("could not write the audit log: {error}");
        }
    }

    /// What a call of `tool` without arguments, on no known connection,
    /// would get now, consuming nothing.
    pub fn check(&self, tool: &ToolName) -> CheckReport {
        let mut report = CheckReport {
            tool: tool.to_string(),
            decision: Decision::Allow,
            rule: String::new(),
            reason: None,
            retry_after_secs: None,
            require_approval: false,
            limits: Vec::new(),
            policy: self.policy_label(),
        };
        let permit = match self.evaluate(&ToolCall::new(tool.clone())) {
            Ok(permit) => permit,
            Err(denial) => return report.denied(denial),
        };
        report.rule = permit.rule.clone();
        report.require_approval = permit.require_approval;
        if let Err(error) = audit::check_writable(&self.paths) {
            let reason = format!(
                "the decision could not be written to the audit log ({error}); make the state directory writable (or pass --state-dir)"
            );
            return report.denied(denial(tool, "audit", reason, None));
        }
        if permit.limits.is_empty() {
            return report;
        }
        if let Err(error) = self.counters.check_writable() {
            return report.denied(denial(tool, "counters", error.to_string(), None));
        }
        match self.counters.peek(&self.clock.now(), &permit.limits) {
            Err(error) => report.denied(denial(tool, "counters", error.to_string(), None)),
            Ok(Verdict::Admit { used, .. }) => {
                report.limits = usage(&permit.limits, &used);
                report
            }
            Ok(Verdict::Refuse {
                limit,
                retry_after_ms,
                used,
                ..
            }) => {
                report.limits = usage(&permit.limits, &used);
                report.denied(permit.limit_denial(tool, &limit, retry_after_ms))
            }
        }
    }

    /// Which tools the policy in force hides from tool lists, read once for
    /// a whole list. A policy that cannot be read hides nothing here: every
    /// call is refused anyway.
    pub fn hidden_tools(&self) -> impl Fn(&str) -> bool + use<> {
        let policy = self.source.load().ok().map(|loaded| loaded.policy);
        move |tool| policy.as_ref().is_some_and(|policy| policy.hides(tool))
    }

    /// The exact tool names (not globs, not this program's own tools) the
    /// policy in force writes; none when it cannot be read.
    pub fn exact_tool_names(&self) -> Vec<String> {
        self.source.load().map_or_else(
            |_| Vec::new(),
            |loaded| {
                let names = loaded.policy.exact_names();
                names.into_iter().map(str::to_owned).collect()
            },
        )
    }

    /// The policy file in force, or `built-in` / `built-in (gateway)`.
    fn policy_label(&self) -> String {
        let path = self.source.path();
        match self.source {
            PolicySource::ConfigDir(_) if !path.exists() => "built-in".to_owned(),
            PolicySource::GatewayDefault(_) if !path.exists() => "built-in (gateway)".to_owned(),
            _ => path.display().to_string(),
        }
    }

    fn evaluate(&self, call: &ToolCall) -> Result<Permit, Denial> {
        let tool = &call.tool;
        let loaded = self
            .source
            .load()
            .map_err(|error| denial(tool, "policy", error.to_string(), None))?;
        match loaded.policy.evaluate(call) {
            Evaluation::Refused { rule, reason } => Err(denial(tool, &rule, reason, None)),
            Evaluation::Allowed {
                rule,
                limits,
                require_approval,
                on_deny,
            } => Ok(Permit {
                rule,
                limits,
                require_approval,
                on_deny,
            }),
        }
    }

    fn release(&self, admission: &Admission) {
        if let Some(stamp_ms) = admission.stamp_ms
            && let Err(error) = self.counters.release(stamp_ms, &admission.limits)
        {
            tracing::warn!(
                "could not take back the reserved call of {}: {error}",
                admission.tool
            );
        }
    }

    fn entry(
        &self,
        admission: &Admission,
        decision: Decision,
        reason: Option<String>,
    ) -> AuditEntry {
        AuditEntry {
            time: time::OffsetDateTime::now_utc(),
            tool: admission.tool.to_string(),
            caller: admission.caller,
            decision,
            rule: Some(admission.rule.clone()),
            reason,
            retry_after_secs: None,
            args_keys: None,
            args_sha256: None,
        }
        .with_arguments(admission.arguments.as_ref())
    }

    /// Appends the line of a counted (or, `released`, given back) call.
    fn append(
        &self,
        entry: &AuditEntry,
        admission: &Admission,
        released: bool,
    ) -> Result<(), crate::files::FileError> {
        match admission.stamp_ms {
            Some(stamp_ms) => {
                let counting = Counting {
                    stamp_ms,
                    counted: admission
                        .limits
                        .iter()
                        .map(|limit| limit.key.clone())
                        .collect(),
                    released,
                };
                audit::append_counted(&self.paths, entry, &counting)
            }
            None => audit::append(&self.paths, entry),
        }
    }

    /// Audits a refusal; when that fails, the refusal says so too.
    fn audit_denial(
        &self,
        caller: Caller,
        denial: &mut Denial,
        arguments: Option<&ArgumentsDigest>,
    ) {
        let entry = AuditEntry {
            time: time::OffsetDateTime::now_utc(),
            tool: denial.tool.clone(),
            caller,
            decision: Decision::Deny,
            rule: Some(denial.rule.clone()),
            reason: Some(denial.reason.clone()),
            retry_after_secs: denial.retry_after_secs,
            args_keys: None,
            args_sha256: None,
        }
        .with_arguments(arguments);
        if let Err(error) = audit::append(&self.paths, &entry) {
            denial.reason = format!(
                "{}; the refusal could not be written to the audit log either ({error})",
                denial.reason
            );
        }
    }
}

/// What the policy allows for a tool, before counting.
struct Permit {
    rule: String,
    limits: Vec<Limit>,
    require_approval: bool,
    on_deny: Option<String>,
}

impl Permit {
    fn limit_denial(&self, tool: &ToolName, limit: &Limit, retry_after_ms: u64) -> Denial {
        let secs = retry_after_ms.div_ceil(1000);
        let reason = format!("limit {} reached; try again in {secs} s", limit.describe());
        let reason = with_on_deny(self.on_deny.as_deref(), reason);
        denial(tool, &limit.rule, reason, Some(secs))
    }
}

impl CheckReport {
    fn denied(mut self, denial: Denial) -> Self {
        self.decision = Decision::Deny;
        self.rule = denial.rule;
        self.reason = Some(denial.reason);
        self.retry_after_secs = denial.retry_after_secs;
        self
    }
}

fn denial(tool: &ToolName, rule: &str, reason: String, retry_after_secs: Option<u64>) -> Denial {
    Denial {
        tool: tool.to_string(),
        rule: rule.to_owned(),
        reason,
        retry_after_secs,
    }
}

fn with_on_deny(on_deny: Option<&str>, reason: String) -> String {
    match on_deny {
        Some(message) => format!("{message} ({reason})"),
        None => reason,
    }
}

fn usage(limits: &[Limit], used: &[u32]) -> Vec<LimitUsage> {
    limits
        .iter()
        .zip(used)
        .map(|(limit, &used)| LimitUsage {
            rule: limit.rule.clone(),
            limit: limit.describe(),
            used,
        })
        .collect()
}

fn describe_clock(clock: ClockNote) -> Option<String> {
    match clock {
        ClockNote::Steady | ClockNote::SkewClamped => None,
        ClockNote::SteppedBack { by_ms } => Some(format!(
            "the system clock is {} s behind the last decision (it was set back, or the machine restarted with a wrong clock); calls are counted on from the last decision's time, so nothing was freed",
            by_ms / 1000
        )),
        ClockNote::WallStepped { by_ms } => Some(format!(
            "the system clock was stepped by {:+} s; limits measure real elapsed time with the boot clock, so the step changed nothing",
            by_ms / 1000
        )),
    }
}
