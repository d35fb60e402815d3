//! host-example: a wasmtime host for the amazon-order-sync component. It implements every
//! import for real (SQLite storage and Commerce, TOML settings, HTTP behind an allow-list) and
//! ships a loopback SP-API sandbox so the demo and the tests need no Amazon account.

pub mod bindings {
    wasmtime::component::bindgen!({ world: "plugin", path: "../wit" });
}

pub mod app;
pub mod commerce;
pub mod db;
pub mod demo;
pub mod http;
pub mod replay;
pub mod runtime;
pub mod sandbox;
pub mod settings;
pub mod table;
