//! A parsed policy and its answer for one tool: refused outright, or
//! allowed subject to limits and, optionally, the person's approval.

use super::spec::{DefaultAction, PolicySpec, ToolName, ToolSpec, Window};

/// One rolling-window limit of one tool, ready for counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// Counter key `tool/counter`: counters are never shared across tools,
    /// and editing `max` or `window` keeps the calls already counted.
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

/// What the policy says about a tool, before counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evaluation {
    /// Refused by a rule, whatever the counters say.
    Refused {
        /// The rule (`default`, `tools.X.deny`).
        rule: String,
        /// Why, for a person.
        reason: String,
    },
    /// Allowed if every limit has room (and the person approves, if asked).
    Allowed {
        /// The rule that allows it (`tools.X` or `default`).
        rule: String,
        /// Limits to count against.
        limits: Vec<Limit>,
        /// Ask the person first.
        require_approval: bool,
    },
}

/// A valid policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    spec: PolicySpec,
}

impl Policy {
    /// Wraps a parsed policy.
    pub fn new(spec: PolicySpec) -> Self {
        Self { spec }
    }

    /// The policy hides `tool`: `hide` names it, or holds `"*"`.
    pub fn hides(&self, tool: &str) -> bool {
        (self.spec.hide.iter()).any(|hidden| hidden.as_str() == "*" || hidden.as_str() == tool)
    }

    /// The rules for `tool`.
    pub fn evaluate(&self, tool: &ToolName) -> Evaluation {
        if self.hides(tool.as_str()) {
            return Evaluation::Refused {
                rule: "hide".into(),
                reason: format!(
                    "the policy hides {tool} (\"hide\"); take it out of \"hide\" to use it"
                ),
            };
        }
        let Some(rules) = self.spec.tools.get(tool) else {
            return match self.spec.default {
                DefaultAction::Allow => Evaluation::Allowed {
                    rule: "default".into(),
                    limits: Vec::new(),
                    require_approval: false,
                },
                DefaultAction::Deny => Evaluation::Refused {
                    rule: "default".into(),
                    reason: format!(
                        "{tool} is not listed in the policy and the default is deny; add \"{tool}\": {{}} under \"tools\" to allow it"
                    ),
                },
            };
        };
        if rules.deny {
            return Evaluation::Refused {
                rule: format!("tools.{tool}.deny"),
                reason: format!("the policy refuses {tool} (\"deny\": true)"),
            };
        }
        Evaluation::Allowed {
            rule: format!("tools.{tool}"),
            limits: limits_of(tool, rules),
            require_approval: rules.require_approval,
        }
    }

    /// The tool's own refusal message (`on_deny`), if it has one.
    pub fn on_deny(&self, tool: &ToolName) -> Option<&str> {
        self.spec.tools.get(tool)?.on_deny.as_deref()
    }
}

fn limits_of(tool: &ToolName, rules: &ToolSpec) -> Vec<Limit> {
    rules
        .limits
        .0
        .iter()
        .enumerate()
        .map(|(index, limit)| Limit {
            key: format!("{tool}/{}", limit.counter),
            rule: format!("tools.{tool}.limits[{index}]"),
            window: limit.window,
            max: limit.max.get(),
        })
        .collect()
}
