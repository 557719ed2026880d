//! Which launches are allowed: the policy file, rolling-window limits with
//! persistent counters, and the audit log of every decision.

pub mod audit;
