//! An admitted call and its counter reservation, from the policy's "yes"
//! until the caller says how it ended. Whatever ends it, it is settled
//! exactly once: dropping it unsettled (a cancelled MCP call, a client
//! that went away) gives the slot back and writes the audit line.

use super::arguments::ArgumentsDigest;
use super::audit::Caller;
use super::guard::Guard;
use super::rules::Limit;
use super::spec::ToolName;

/// Where an admission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// Reserved, waiting for the person's approval; not yet audited.
    AwaitingApproval,
    /// Audited as allowed: the tool may run.
    Running,
    /// Confirmed, declined or abandoned.
    Settled,
}

/// A call the policy let through, holding its counter reservation until the
/// caller says whether the tool really ran ([`Guard::confirm`],
/// [`Guard::decline`], [`Guard::abandon`]); dropped unsettled, it gives the
/// slot back and is audited as not run.
#[derive(Debug)]
#[must_use = "confirm, decline or abandon the admission"]
pub struct Admission {
    pub(super) guard: Guard,
    pub(super) tool: ToolName,
    pub(super) caller: Caller,
    pub(super) rule: String,
    pub(super) limits: Vec<Limit>,
    pub(super) arguments: Option<ArgumentsDigest>,
    pub(super) stamp_ms: Option<u64>,
    pub(super) notes: Vec<String>,
    pub(super) stage: Stage,
    /// The policy asks for the person's approval before the tool runs.
    pub require_approval: bool,
}

impl Admission {
    /// The tool.
    pub fn tool(&self) -> &ToolName {
        &self.tool
    }

    /// The rule that let it through.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// SHA-256 of the call's canonical arguments, when it has arguments:
    /// an approval must name exactly this.
    pub fn args_sha256(&self) -> Option<&str> {
        self.arguments.as_ref().map(|digest| digest.sha256.as_str())
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let guard = self.guard.clone();
        match self.stage {
            Stage::Settled => {}
            Stage::AwaitingApproval => {
                guard.decline_in_place(
                    self,
                    "the call was cancelled before the person answered; not counted",
                );
            }
            Stage::Running => guard.abandon_in_place(
                self,
                "it was cancelled, or its client went away, before it finished",
            ),
        }
    }
}
