//! A parsed policy and its answer for one call: refused outright (hidden,
//! denied, an argument rule), or allowed subject to limits and, optionally,
//! the person's approval. The entry that decides is the most specific one
//! whose name or glob matches the tool and whose `when` matches the call.

use super::call::ToolCall;
use super::pattern::ToolPattern;
use super::spec::{DefaultAction, LimitSpec, PolicySpec, ToolSpec, When, Window};

/// The counter-key prefix of `all_tools` limits: `[` is refused in tool
/// names and globs, so no tool's counter can share a key with these.
pub const ALL_TOOLS_KEY: &str = "[all_tools]";

/// One rolling-window limit, ready for counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// Counter key `entry/counter` (`[all_tools]/counter` for `all_tools`):
    /// counters are never shared across entries, and editing `max` or
    /// `window` keeps the calls already counted.
    pub key: String,
    /// Where it is written, e.g. `tools.open_connection_manager.limits[0]`.
    pub rule: String,
    /// Window length.
    pub window: Window,
    /// Most calls in any window.
    pub max: u32,
}

impl Limit {
    /// "10 per minute".
    pub fn describe(&self) -> String {
        format!("{} per {}", self.max, self.window.name())
    }
}

/// What the policy says about a call, before counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evaluation {
    /// Refused by a rule, whatever the counters say.
    Refused {
        /// The rule (`default`, `hide`, `tools.X.deny`, `tools.X.deny_if[0]`…).
        rule: String,
        /// Why, for a person (after the entry's `on_deny`, if any).
        reason: String,
    },
    /// Allowed if every limit has room (and the person approves, if asked).
    Allowed {
        /// The rule that allows it (`tools.X` or `default`).
        rule: String,
        /// Limits to count against: the entry's, then `all_tools`'.
        limits: Vec<Limit>,
        /// Ask the person first.
        require_approval: bool,
        /// The entry's own refusal message, for a full limit or a "no".
        on_deny: Option<String>,
    },
}

/// A valid policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    spec: PolicySpec,
}

impl Policy {
    /// Wraps a parsed policy.
    pub fn new(spec: PolicySpec) -> Self {
        Self { spec }
    }

    /// The policy hides `tool`: a name or glob in `hide` matches it.
    pub fn hides(&self, tool: &str) -> bool {
        self.spec.hide.iter().any(|hidden| hidden.matches(tool))
    }

    /// The exact tool names the policy writes (under `tools` and `hide`),
    /// not globs and not this program's own tools: each should be a tool
    /// the MCP server offers.
    pub fn exact_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = (self.spec.tools.0.iter().map(|(pattern, _)| pattern))
            .chain(&self.spec.hide)
            .filter(|pattern| !pattern.is_glob())
            .map(ToolPattern::as_str)
            .filter(|name| !super::spec::BUILT_IN_TOOLS.contains(name))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The rules for `call`.
    pub fn evaluate(&self, call: &ToolCall) -> Evaluation {
        let tool = &call.tool;
        if self.hides(tool.as_str()) {
            return Evaluation::Refused {
                rule: "hide".into(),
                reason: format!(
                    "the policy hides {tool} (\"hide\"); take it out of \"hide\" to use it"
                ),
            };
        }
        let all_tools = limits_of(ALL_TOOLS_KEY, "all_tools", &self.spec.all_tools.limits.0);
        let Some((pattern, rules)) = self.entry_for(call) else {
            return match self.spec.default {
                DefaultAction::Allow => Evaluation::Allowed {
                    rule: "default".into(),
                    limits: all_tools,
                    require_approval: false,
                    on_deny: None,
                },
                DefaultAction::Deny => Evaluation::Refused {
                    rule: "default".into(),
                    reason: format!(
                        "{tool} is not listed in the policy (or its entry's \"when\" does not match this call) and the default is deny; add \"{tool}\": {{}} under \"tools\" to allow it"
                    ),
                },
            };
        };
        let entry = format!("tools.{pattern}");
        let refuse = |rule: String, reason: String| Evaluation::Refused {
            rule,
            reason: match &rules.on_deny {
                Some(message) => format!("{message} ({reason})"),
                None => reason,
            },
        };
        if rules.deny {
            return refuse(
                format!("{entry}.deny"),
                format!("the policy refuses {tool} (\"deny\": true)"),
            );
        }
        let arguments = call.arguments.as_ref();
        if let Some((index, condition)) =
            (rules.deny_if.iter().enumerate()).find(|(_, condition)| condition.holds(arguments))
        {
            return refuse(
                format!("{entry}.deny_if[{index}]"),
                format!(
                    "the policy refuses {tool} when {condition} (\"deny_if\"); call it with other arguments"
                ),
            );
        }
        if let Some((index, condition)) =
            (rules.require.iter().enumerate()).find(|(_, condition)| !condition.holds(arguments))
        {
            return refuse(
                format!("{entry}.require[{index}]"),
                format!(
                    "the policy runs {tool} only when {condition} (\"require\"); call it again with that argument"
                ),
            );
        }
        let mut limits = limits_of(pattern.as_str(), &entry, &rules.limits.0);
        limits.extend(all_tools);
        Evaluation::Allowed {
            rule: entry,
            limits,
            require_approval: rules.require_approval,
            on_deny: rules.on_deny.clone(),
        }
    }

    /// The most specific entry matching the tool whose `when` matches the
    /// call (entries are kept most specific first).
    fn entry_for(&self, call: &ToolCall) -> Option<&(ToolPattern, ToolSpec)> {
        self.spec.tools.0.iter().find(|(pattern, rules)| {
            pattern.matches(call.tool.as_str())
                && rules.when.as_ref().is_none_or(|when| applies(when, call))
        })
    }
}

fn applies(when: &When, call: &ToolCall) -> bool {
    when.environment
        .is_none_or(|wanted| call.environment == Some(wanted))
        && when.read_only.is_none_or(|wanted| call.read_only == wanted)
}

fn limits_of(key: &str, rule: &str, limits: &[LimitSpec]) -> Vec<Limit> {
    limits
        .iter()
        .enumerate()
        .map(|(index, limit)| Limit {
            key: format!("{key}/{}", limit.counter),
            rule: format!("{rule}.limits[{index}]"),
            window: limit.window,
            max: limit.max.get(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Environment;
    use crate::policy::spec::ToolName;

    fn policy(text: &str) -> Policy {
        Policy::new(PolicySpec::parse(text.as_bytes()).unwrap())
    }

    fn call(tool: &str) -> ToolCall {
        ToolCall::new(ToolName::new(tool).unwrap())
    }

    fn rule(evaluation: &Evaluation) -> &str {
        match evaluation {
            Evaluation::Refused { rule, .. } | Evaluation::Allowed { rule, .. } => rule,
        }
    }

    #[test]
    fn the_most_specific_entry_wins_and_when_falls_through() {
        let policy = policy(
            r#"{"version": "1", "default": "deny", "tools": {
                "*": {"require_approval": true},
                "odoo_*": {},
                "*_delete": {"deny": true},
                "odoo_partner_delete": {"when": {"environment": "development"}}}}"#,
        );
        assert_eq!(rule(&policy.evaluate(&call("other"))), "tools.*");
        assert_eq!(rule(&policy.evaluate(&call("odoo_read"))), "tools.odoo_*");
        assert_eq!(
            rule(&policy.evaluate(&call("odoo_partner_delete"))),
            "tools.*_delete.deny"
        );
        let on_dev = call("odoo_partner_delete").with_connection("d", Environment::Development);
        assert_eq!(rule(&policy.evaluate(&on_dev)), "tools.odoo_partner_delete");
    }

    #[test]
    fn all_tools_limits_come_after_the_tools_own_with_their_own_keys() {
        let policy = policy(
            r#"{"version": "1", "default": "allow",
                "all_tools": {"limits": [{"counter": "calls", "window": "minute", "max": 5}]},
                "tools": {"a": {"limits": [{"counter": "calls", "window": "hour", "max": 2}]}}}"#,
        );
        let Evaluation::Allowed { limits, .. } = policy.evaluate(&call("a")) else {
            panic!("allowed");
        };
        let keys: Vec<_> = limits
            .iter()
            .map(|limit| (limit.key.as_str(), limit.rule.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("a/calls", "tools.a.limits[0]"),
                ("[all_tools]/calls", "all_tools.limits[0]")
            ]
        );
        let Evaluation::Allowed { limits, .. } = policy.evaluate(&call("b")) else {
            panic!("allowed by default");
        };
        assert_eq!(limits.len(), 1);
    }

    #[test]
    fn equally_specific_overlapping_globs_are_refused() {
        let error = PolicySpec::parse(
            br#"{"version": "1", "default": "deny", "tools": {"odoo_*": {}, "*_read": {}}}"#,
        )
        .unwrap_err();
        assert!(error.message.contains("equally specific"), "{error}");
        PolicySpec::parse(
            br#"{"version": "1", "default": "deny", "tools": {"odoo_*": {}, "erp__*": {}}}"#,
        )
        .unwrap();
    }

    #[test]
    fn exact_names_leave_out_globs_and_our_own_tools() {
        let policy = policy(
            r#"{"version": "1", "default": "deny", "hide": ["secret", "x_*"],
                "tools": {"read": {}, "odoo_*": {}, "list_connections": {}}}"#,
        );
        assert_eq!(policy.exact_names(), ["read", "secret"]);
    }
}
