//! The `pass` cases of `#[twilio_signed]` (`tests/ui/*/pass/*.rs`): each program is compiled
//! into this test target as a module and its `main` run as a test (building the routes;
//! Rocket's also ignite, which checks its sentinels). They are not trybuild cases: trybuild
//! builds (rather than checks) every dependency again in its own target directory as soon
//! as one case must pass, which cost CI minutes per feature set, while here they share the
//! workspace's build. The `fail` cases stay in `tests/ui.rs`.
//!
//! ```text
//! cargo test --features axum --test macros_pass        # one framework's cases
//! cargo test --all-features --test macros_pass         # all of them
//! ```

/// A module per case (behind its framework's feature) and a test that runs its `main`.
macro_rules! pass_cases {
    ($feature:literal: $($name:ident => $path:literal),* $(,)?) => {
        $(
            #[cfg(feature = $feature)]
            #[path = $path]
            #[allow(dead_code, unused_imports)]
            mod $name;

            #[cfg(feature = $feature)]
            #[test]
            fn $name() {
                $name::main();
            }
        )*
    };
}

pass_cases!("axum":
    axum_app_state_without_argument => "ui/pass/app_state_without_argument.rs",
    axum_config_as_state => "ui/pass/config_as_state.rs",
    axum_crate_path => "ui/pass/crate_path.rs",
    axum_form_with_state => "ui/pass/form_with_state.rs",
    axum_generic_handler => "ui/pass/generic_handler.rs",
    axum_http_auth_options => "ui/pass/http_auth_options.rs",
    axum_json_with_question_mark => "ui/pass/json_with_question_mark.rs",
    axum_layer_and_nest => "ui/pass/layer_and_nest.rs",
    axum_no_parameters => "ui/pass/no_parameters.rs",
    axum_query_get => "ui/pass/query_get.rs",
    axum_state_parameter_and_bytes => "ui/pass/state_parameter_and_bytes.rs"
);
pass_cases!("rocket":
    rocket_crate_path => "ui/rocket/pass/crate_path.rs",
    rocket_root_attribute => "ui/rocket/pass/root_attribute.rs",
    rocket_route_arguments => "ui/rocket/pass/route_arguments.rs",
    rocket_routes => "ui/rocket/pass/routes.rs"
);
/// `replay = true` needs the `replay` feature too.
#[cfg(all(feature = "rocket", feature = "replay"))]
#[path = "ui/rocket/pass/replay.rs"]
mod rocket_replay;

#[cfg(all(feature = "rocket", feature = "replay"))]
#[test]
fn rocket_replay() {
    rocket_replay::main();
}

pass_cases!("warp":
    warp_crate_path => "ui/warp/pass/crate_path.rs",
    warp_root_attribute => "ui/warp/pass/root_attribute.rs",
    warp_root_path => "ui/warp/pass/root_path.rs",
    warp_routes => "ui/warp/pass/routes.rs"
);
pass_cases!("actix":
    actix_crate_path => "ui/actix/pass/crate_path.rs",
    actix_routes => "ui/actix/pass/routes.rs"
);

/// Every framework at once: the root attribute recognises each.
#[cfg(all(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
#[path = "ui/all/pass/root_attribute_recognises_each_framework.rs"]
mod all_root_attribute_recognises_each_framework;

#[cfg(all(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
#[test]
fn all_root_attribute_recognises_each_framework() {
    all_root_attribute_recognises_each_framework::main();
}
