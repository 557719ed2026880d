//! The gate every guarded tool passes: load the policy (fresh each time),
//! evaluate the tool, reserve a slot in its counters, and write the audit
//! line. Any fault refuses the call with a reason naming the cause.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::paths::Paths;

use super::audit::{self, AuditEntry, Caller, Decision};
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

/// A call the policy let through, holding its counter reservation until the
/// caller says whether the tool really ran.
#[derive(Debug)]
#[must_use = "confirm, decline or abandon the admission"]
pub struct Admission {
    tool: ToolName,
    caller: Caller,
    rule: String,
    limits: Vec<Limit>,
    stamp_ms: Option<u64>,
    clock_note: Option<String>,
    /// The policy asks for the person's approval before the tool runs.
    pub require_approval: bool,
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
    /// reserving a slot in its limits. A refusal is audited here; an
    /// admission is audited when it is settled.
    pub fn admit_call(&self, call: &ToolCall, caller: Caller) -> Result<Admission, Denial> {
        let result = self.try_admit(call, caller);
        if let Err(denial) = &result {
            self.audit_denial(caller, denial);
        }
        result
    }

    fn try_admit(&self, call: &ToolCall, caller: Caller) -> Result<Admission, Denial> {
        let tool = &call.tool;
        let permit = self.evaluate(tool)?;
        let mut admission = Admission {
            tool: tool.clone(),
            caller,
            rule: permit.rule.clone(),
            limits: permit.limits.clone(),
            stamp_ms: None,
            clock_note: None,
            require_approval: permit.require_approval,
        };
        if admission.limits.is_empty() {
            return Ok(admission);
        }
        let verdict = self
            .counters
            .reserve(&self.clock.now(), &admission.limits)
            .map_err(|error| denial(tool, "counters", error.to_string(), None))?;
        match verdict {
            Verdict::Admit {
                stamp_ms, clock, ..
            } => {
                admission.stamp_ms = Some(stamp_ms);
                admission.clock_note = describe_clock(clock);
                Ok(admission)
            }
            Verdict::Refuse {
                limit,
                retry_after_ms,
                clock,
                ..
            } => {
                let mut denial = permit.limit_denial(tool, &limit, retry_after_ms);
                if let Some(note) = describe_clock(clock) {
                    denial.reason = format!("{}; {note}", denial.reason);
                }
                Err(denial)
            }
        }
    }

    /// The tool ran: audits the allow with `note` (e.g. "opened the window").
    pub fn confirm(&self, admission: Admission, note: &str) {
        let reason = match &admission.clock_note {
            Some(clock) => format!("{note}; {clock}"),
            None => note.to_owned(),
        };
        self.write_audit(AuditEntry {
            time: time::OffsetDateTime::now_utc(),
            tool: admission.tool.to_string(),
            caller: admission.caller,
            decision: Decision::Allow,
            rule: Some(admission.rule),
            reason: Some(reason),
            retry_after_secs: None,
        });
    }

    /// The approval the policy asks for was not given (`reason`): takes
    /// the slot back and audits the refusal.
    pub fn decline(&self, admission: Admission, reason: &str) -> Denial {
        self.release(&admission);
        let denial = denial(
            &admission.tool,
            &format!("tools.{}.require_approval", admission.tool),
            reason.to_owned(),
            None,
        );
        self.audit_denial(admission.caller, &denial);
        denial
    }

    /// The tool could not run (`why`): takes the slot back, so the failed
    /// attempt is not counted, and audits it as allowed but not run.
    pub fn abandon(&self, admission: Admission, why: &str) {
        self.release(&admission);
        let note = format!("allowed, but it did not run ({why}); not counted");
        self.confirm(admission, &note);
    }

    /// What a call of `tool` would get now, consuming nothing.
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
        let permit = match self.evaluate(tool) {
            Ok(permit) => permit,
            Err(denial) => return report.denied(denial),
        };
        report.rule = permit.rule.clone();
        report.require_approval = permit.require_approval;
        if permit.limits.is_empty() {
            return report;
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

    /// The policy file in force, or `built-in`.
    fn policy_label(&self) -> String {
        let path = self.source.path();
        if matches!(self.source, PolicySource::ConfigDir(_)) && !path.exists() {
            "built-in".to_owned()
        } else {
            path.display().to_string()
        }
    }

    fn evaluate(&self, tool: &ToolName) -> Result<Permit, Denial> {
        let loaded = self
            .source
            .load()
            .map_err(|error| denial(tool, "policy", error.to_string(), None))?;
        let on_deny = loaded.policy.on_deny(tool).map(str::to_owned);
        match loaded.policy.evaluate(tool) {
            Evaluation::Refused { rule, reason } => Err(denial(
                tool,
                &rule,
                with_on_deny(on_deny.as_deref(), reason),
                None,
            )),
            Evaluation::Allowed {
                rule,
                limits,
                require_approval,
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

    fn audit_denial(&self, caller: Caller, denial: &Denial) {
        self.write_audit(AuditEntry {
            time: time::OffsetDateTime::now_utc(),
            tool: denial.tool.clone(),
            caller,
            decision: Decision::Deny,
            rule: Some(denial.rule.clone()),
            reason: Some(denial.reason.clone()),
            retry_after_secs: denial.retry_after_secs,
        });
    }

    fn write_audit(&self, entry: AuditEntry) {
        if let Err(error) = audit::append(&self.paths, &entry) {
            tracing::warn!("could not write the audit log: {error}");
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
