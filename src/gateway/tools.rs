//! The child's `tools/list` as the client sees it: hidden tools left out,
//! the child's own `open_connection_manager` replaced by ours (which opens
//! this window under this policy), and the `tools` capability announced.

use serde_json::Value;

/// The name of the tool the gateway answers itself.
pub const OPEN_CONNECTION_MANAGER: &str = "open_connection_manager";

/// Rewrites one page of a `tools/list` result in place: drops every tool
/// `hidden` names and the child's `open_connection_manager`, and appends
/// `ours` to the first page unless the policy hides it too.
pub fn rewrite_list(
    result: &mut Value,
    ours: &Value,
    first_page: bool,
    hidden: impl Fn(&str) -> bool,
) {
    let Some(tools) = result.get_mut("tools").and_then(Value::as_array_mut) else {
        return;
    };
    tools.retain(|tool| {
        let name = tool.get("name").and_then(Value::as_str).unwrap_or_default();
        name != OPEN_CONNECTION_MANAGER && !hidden(name)
    });
    if first_page && !hidden(OPEN_CONNECTION_MANAGER) {
        tools.push(ours.clone());
    }
}

/// Makes an `initialize` result announce tools (the gateway always offers
/// one), keeping whatever the child said about them.
pub fn announce_tools(result: &mut Value) {
    if let Some(capabilities) = result
        .get_mut("capabilities")
        .and_then(Value::as_object_mut)
    {
        capabilities
            .entry("tools")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hidden_tools_and_the_childs_window_tool_give_way_to_ours() {
        let mut result = json!({"tools": [
            {"name": "read"}, {"name": "secret_admin"}, {"name": "open_connection_manager", "description": "theirs"}
        ], "nextCursor": "2"});
        let ours = json!({"name": "open_connection_manager", "description": "ours"});
        rewrite_list(&mut result, &ours, true, |name| name == "secret_admin");
        assert_eq!(
            result,
            json!({"tools": [{"name": "read"}, ours], "nextCursor": "2"})
        );
        let mut later = json!({"tools": [{"name": "write"}]});
        rewrite_list(&mut later, &ours, false, |_| false);
        assert_eq!(later, json!({"tools": [{"name": "write"}]}));
        let mut init = json!({"capabilities": {"resources": {}}});
        announce_tools(&mut init);
        assert_eq!(init["capabilities"]["tools"], json!({}));
    }
}
