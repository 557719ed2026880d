//! MCP front end: the stdio server and the snippets that register it in
//! MCP clients.

pub mod client_config;
pub mod server;

pub use server::serve;
