//! A TCP relay that holds back the app's first response: how a scenario makes a client that
//! runs its own exchange (curl) answer a Digest challenge whose nonce has meanwhile expired.
//!
//! The relay listens on `127.0.0.1:0` and forwards every connection to the app, byte for
//! byte both ways; only the first bytes the app sends on the first connection reach the
//! client after `delay`. Everything after that (the `stale=true` challenge, the retry's
//! answer) passes at once. The URL the app verifies is its own base URL, so the relay's port
//! in `Host` changes nothing.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// A running relay; dropping it stops accepting connections.
pub struct Relay {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Relay {
    /// Starts a relay to `target` that delays the first response by `delay`.
    pub fn start(target: SocketAddr, delay: Duration) -> io::Result<Relay> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        thread::spawn(move || {
            let mut first = true;
            for client in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let hold = if first { delay } else { Duration::ZERO };
                first = false;
                thread::spawn(move || {
                    let _ = relay(client, target, hold);
                });
            }
        });
        Ok(Relay { addr, stop })
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

/// Forwards `client` ↔ `target` until either side closes; the first bytes from `target`
/// wait `hold` before they are passed on.
fn relay(client: TcpStream, target: SocketAddr, hold: Duration) -> io::Result<()> {
    let server = TcpStream::connect(target)?;
    let (mut client_in, mut server_out) = (client.try_clone()?, server.try_clone()?);
    let upstream = thread::spawn(move || {
        let _ = io::copy(&mut client_in, &mut server_out);
        let _ = server_out.shutdown(Shutdown::Write);
    });
    let (mut server_in, mut client_out) = (server, client);
    let mut buf = [0u8; 16 * 1024];
    let mut held = !hold.is_zero();
    loop {
        let n = server_in.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if held {
            thread::sleep(hold);
            held = false;
        }
        client_out.write_all(&buf[..n])?;
    }
    let _ = client_out.shutdown(Shutdown::Write);
    let _ = upstream.join();
    Ok(())
}
