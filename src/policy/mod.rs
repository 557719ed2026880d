//! Which launches are allowed: the policy file, rolling-window limits with
//! persistent counters, and the audit log of every decision.
//!
//! [`Guard`] is the entry point: it reloads the policy for every call,
//! evaluates the tool, reserves a slot under the counters lock and writes
//! the audit line. Every fault refuses the call (fail closed).

pub mod admission;
pub mod arguments;
pub mod audit;
pub mod call;
pub mod clock;
pub mod condition;
pub mod counters;
pub mod guard;
pub mod pattern;
pub mod rate_limit;
pub mod rules;
pub mod source;
pub mod spec;

pub use admission::Admission;
pub use call::ToolCall;
pub use guard::{CheckReport, Denial, Guard, LimitUsage};
pub use source::{PolicyError, PolicySource};
pub use spec::ToolName;
