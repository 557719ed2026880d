//! Lookups into the connection list by id and by name, made once when the
//! list is replaced, so that a frame finds the open connection or checks
//! a typed name without walking 10 000 connections.

use std::collections::HashMap;

use crate::model::{Connection, ConnectionId, ConnectionName};

/// Where each connection is in the list, and who holds each name.
#[derive(Debug, Default)]
pub(crate) struct ListIndex {
    positions: HashMap<ConnectionId, usize>,
    /// By [`ConnectionName::folded`] name.
    names: HashMap<String, ConnectionId>,
}

impl ListIndex {
    /// The index of `connections`.
    pub(crate) fn of(connections: &[Connection]) -> Self {
        let positions = (connections.iter().enumerate())
            .map(|(position, connection)| (connection.id, position))
            .collect();
        let names = (connections.iter())
            .map(|connection| {
                let name = ConnectionName::folded(connection.name.as_str());
                (name, connection.id)
            })
            .collect();
        Self { positions, names }
    }

    /// The position of connection `id` in the list.
    pub(crate) fn position(&self, id: ConnectionId) -> Option<usize> {
        self.positions.get(&id).copied()
    }

    /// The connection named `name` (ignoring case), if any.
    pub(crate) fn holder_of(&self, name: &ConnectionName) -> Option<ConnectionId> {
        self.names
            .get(&ConnectionName::folded(name.as_str()))
            .copied()
    }
}
