//! # amazon-order-sync
//!
//! The Amazon order import of a Commerce platform: pulls SP-API Orders v0 orders, keeps the
//! *Amazon Orders* table, creates Commerce orders at the right Amazon status, blocks (and later
//! unblocks) orders whose items cannot be sold, pushes shipments back to Amazon and completes or
//! cancels Commerce orders as Amazon reports.
//!
//! One domain core, many skins:
//! - the core — [`amazon`] (wire types), [`settings`], [`status`], [`blockers`],
//!   [`order_builder`], [`decide`], [`grid`] — is plain Rust, natively tested;
//! - [`engine`] orchestrates the core over the [`host::Host`] trait; [`memory`] is an in-memory
//!   host with a simulated Amazon for tests and benchmarks;
//! - `component` (only on `wasm32-wasip2`) adapts the WIT imports in `wit/` to `Host` and exports
//!   the hooks;
//! - `js` (only on `wasm32-unknown-unknown`) is the wasm-bindgen API of `pkg/`.

// The component carries no std: without it go std's panic hook, stdio and environment and
// the WASI imports they need. Every other build (native, the JS package) has std.
#![cfg_attr(all(target_arch = "wasm32", target_os = "wasi"), no_std)]

#[macro_use]
extern crate alloc;

pub mod amazon;
pub mod blockers;
pub mod decide;
pub mod engine;
pub mod grid;
pub mod host;
pub mod marketplace;
#[cfg(not(all(target_arch = "wasm32", target_os = "wasi")))]
pub mod memory;
pub mod order_builder;
pub mod preview;
pub mod row;
pub mod settings;
pub mod status;
mod text;

/// What std's prelude adds to core's, for the `no_std` build; every module imports it.
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
}

/// Runs `f` on `arg`; in the component, whose heap frees nothing (`heap`), what `f` allocated
/// is given back when it returns. For work over many rows whose result is small: a filtered
/// grid query reads every row of the store.
///
/// # Safety
/// Nothing `f` allocates outlives it: its result holds no pointer or reference into what it
/// allocated (a leaked `String`, say), and it grows no block allocated before it through
/// `arg` (a `RefCell<Vec<_>>`, say). A plain value such as `bool`, computed from shared
/// references to data without interior mutability, meets both.
#[inline(always)]
pub(crate) unsafe fn scoped<A: ?Sized, R: Copy>(arg: &A, f: fn(&A) -> R) -> R {
    #[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
    {
        // SAFETY: the caller's contract is `component::scoped`'s.
        unsafe { component::scoped(arg, f) }
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "wasi")))]
    {
        f(arg)
    }
}

#[cfg(any(test, all(target_arch = "wasm32", target_os = "wasi")))]
mod bytes;
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod component;
#[cfg(any(test, all(target_arch = "wasm32", target_os = "wasi")))]
mod heap;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod js;
