//! WebSocket handshakes through the layer and `#[twilio_signed]`: an `axum::serve` on
//! `127.0.0.1:0`, handshakes signed with the core's `Signer` over the `ws://` URL and opened
//! with a real WebSocket client (tokio-tungstenite). A refused handshake gets its status
//! and never a `101`; an accepted one carries messages both ways.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};
use twilio_auth_axum::{TwilioAuthLayer, twilio_signed};
use twilio_auth_core::{Config, Signer};

const TOKEN: &str = "12345";

/// Echoes each text message back, prefixed.
async fn echo(mut socket: WebSocket) {
    while let Some(Ok(Message::Text(text))) = socket.recv().await {
        if socket
            .send(Message::Text(format!("echo {text}").into()))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Serves `app(config)` on a free port; the public base URL is the server's own address.
async fn serve(app: impl FnOnce(Config) -> Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = Config::builder()
        .auth_token(TOKEN)
        .public_base_url(&base)
        .build()
        .unwrap();
    let app = app(config);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// Opens a WebSocket to `base` + `path` with `signature`; the status of a refusal, or the
/// answer to one text message.
async fn open(base: &str, path: &str, signature: Option<&str>) -> Result<String, u16> {
    let ws_url = format!("{}{path}", base.replacen("http://", "ws://", 1));
    let mut request = ws_url.into_client_request().unwrap();
    if let Some(signature) = signature {
        request
            .headers_mut()
            .insert("X-Twilio-Signature", signature.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((mut socket, response)) => {
            assert_eq!(response.status(), 101);
            socket
                .send(tungstenite::Message::Text("start".into()))
                .await
                .unwrap();
            let reply = socket.next().await.unwrap().unwrap();
            Ok(reply.into_text().unwrap().to_string())
        }
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("handshake failed without an HTTP answer: {e}"),
    }
}

fn sign(url: &str) -> String {
    Signer::new(TOKEN).sign_url(url)
}

#[tokio::test]
async fn the_layer_verifies_a_handshake_before_the_upgrade() {
    let upgrades = Arc::new(AtomicUsize::new(0));
    let counter = upgrades.clone();
    let base = serve(move |config| {
        Router::new()
            .route(
                "/media",
                get(move |ws: WebSocketUpgrade| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    async move { ws.on_upgrade(echo) }
                }),
            )
            .layer(TwilioAuthLayer::new(config))
    })
    .await;
    let ws_base = base.replacen("http://", "ws://", 1);

    let signed = sign(&format!("{ws_base}/media"));
    assert_eq!(
        open(&base, "/media", Some(&signed)).await,
        Ok("echo start".into())
    );
    // The trailing-slash form Twilio's docs mention for voice handshakes.
    let slash = sign(&format!("{ws_base}/media/"));
    assert_eq!(
        open(&base, "/media", Some(&slash)).await,
        Ok("echo start".into())
    );
    assert_eq!(upgrades.load(Ordering::SeqCst), 2);

    // Forged, missing, signed over the http:// URL (a webhook's signature), other path.
    let https_signed = sign(&format!("{base}/media"));
    let other_path = sign(&format!("{ws_base}/relay"));
    for signature in [
        Some("AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        None,
        Some(https_signed.as_str()),
        Some(other_path.as_str()),
    ] {
        assert_eq!(
            open(&base, "/media", signature).await,
            Err(403),
            "{signature:?}"
        );
    }
    assert_eq!(
        upgrades.load(Ordering::SeqCst),
        2,
        "a refused handshake reached the handler"
    );
}

#[twilio_signed(crate = "twilio_auth_axum")]
async fn relay(ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(echo)
}

#[tokio::test]
async fn the_attribute_signs_the_nested_path_with_its_query() {
    let base = serve(|config| {
        Router::new()
            .nest("/twilio", Router::new().route("/relay", get(relay)))
            .with_state(config)
    })
    .await;
    let ws_base = base.replacen("http://", "ws://", 1);
    let path = "/twilio/relay?agent=support&lang=en";

    // The query inside the URL, and the query as sorted parameters after the URL.
    let in_url = sign(&format!("{ws_base}{path}"));
    let as_params = Signer::new(TOKEN).sign_form(
        &format!("{ws_base}/twilio/relay"),
        &[("lang", "en"), ("agent", "support")],
    );
    for signature in [&in_url, &as_params] {
        assert_eq!(
            open(&base, path, Some(signature)).await,
            Ok("echo start".into())
        );
    }
    // The path the router saw (`/relay`, nest's prefix stripped) is not what Twilio signed,
    // and a changed query is refused in both forms.
    let stripped = sign(&format!("{ws_base}/relay?agent=support&lang=en"));
    assert_eq!(open(&base, path, Some(&stripped)).await, Err(403));
    assert_eq!(
        open(&base, "/twilio/relay?agent=admin&lang=en", Some(&in_url)).await,
        Err(403)
    );
    assert_eq!(
        open(&base, "/twilio/relay?agent=admin&lang=en", Some(&as_params)).await,
        Err(403)
    );
}
