//! HTTPS in the binary (`--tls-cert`, `--tls-key`): rustls with the ring provider the Web API client
//! already uses, TLS 1.2 and 1.3, ALPN `http/1.1`.
//!
//! The certificate is served through a resolver holding the current chain and key, so that
//! [`TlsFiles::reload`] (on SIGHUP) swaps them for new handshakes while connections already open keep
//! the session they made. A renewal that fails to load leaves the old certificate in place.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::RwLock;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

/// Why a certificate or key cannot be served; each case names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate {}: {reason}", path.display())]
    UnreadableCertificate { path: PathBuf, reason: String },
    #[error("{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display())]
    NoCertificate { path: PathBuf },
    #[error("cannot read the TLS key {}: {reason}", path.display())]
    UnreadableKey { path: PathBuf, reason: String },
    #[error("{} holds no PEM private key (PKCS#8, PKCS#1 or SEC1)", path.display())]
    NoKey { path: PathBuf },
    #[error("the TLS key {} is not one rustls can sign with: {reason}", path.display())]
    UnsupportedKey { path: PathBuf, reason: String },
    #[error("the TLS key {} does not belong to the certificate {}", key.display(), cert.display())]
    KeyMismatch { cert: PathBuf, key: PathBuf },
    #[error("cannot set up TLS: {0}")]
    Config(String),
}

/// The certificate and key files, and what is served from them now.
#[derive(Debug)]
pub struct TlsFiles {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
}

impl TlsFiles {
    /// Reads both files; the error says which file is wrong and how.
    pub fn load(cert: &Path, key: &Path) -> Result<Arc<Self>, TlsError> {
        let current = certified_key(cert, key)?;
        Ok(Arc::new(TlsFiles {
            cert: cert.to_owned(),
            key: key.to_owned(),
            current: RwLock::new(current),
        }))
    }

    /// Reads both files again and serves them to new connections; on error the old pair stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = certified_key(&self.cert, &self.key)?;
        *self.current.write() = fresh;
        Ok(())
    }

    pub fn cert_path(&self) -> &Path {
        &self.cert
    }

    /// The acceptor new connections handshake with.
    pub fn acceptor(self: &Arc<Self>) -> Result<TlsAcceptor, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Resolver(Arc::clone(self))));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

#[derive(Debug)]
struct Resolver(Arc<TlsFiles>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0.current.read()))
    }
}

fn certified_key(cert: &Path, key: &Path) -> Result<Arc<CertifiedKey>, TlsError> {
    let unreadable_cert = |reason: String| TlsError::UnreadableCertificate {
        path: cert.to_owned(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| unreadable_cert(pem_reason(e)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable_cert(pem_reason(e)))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: cert.to_owned(),
        });
    }
    let private_key = PrivateKeyDer::from_pem_file(key).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => TlsError::NoKey {
            path: key.to_owned(),
        },
        other => TlsError::UnreadableKey {
            path: key.to_owned(),
            reason: pem_reason(other),
        },
    })?;
    let provider: CryptoProvider = rustls::crypto::ring::default_provider();
    let signing_key = provider
        .key_provider
        .load_private_key(private_key)
        .map_err(|e| TlsError::UnsupportedKey {
            path: key.to_owned(),
            reason: e.to_string(),
        })?;
    let certified = CertifiedKey::new(chain, signing_key);
    match certified.keys_match() {
        Ok(()) => Ok(Arc::new(certified)),
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
            Err(TlsError::KeyMismatch {
                cert: cert.to_owned(),
                key: key.to_owned(),
            })
        }
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {
            Ok(Arc::new(certified))
        }
        Err(e) => Err(unreadable_cert(e.to_string())),
    }
}

/// The PEM reader's words, without the key material it never prints anyway.
fn pem_reason(e: rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(io) => io.to_string(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/tls")
            .join(name)
    }

    #[test]
    fn loads_a_certificate_and_names_the_file_that_is_wrong() {
        let cert = fixture("localhost.pem");
        let key = fixture("localhost.key");
        let files = TlsFiles::load(&cert, &key).expect("the test certificate loads");
        files.acceptor().expect("an acceptor");
        files.reload().expect("reloads");

        let missing = TlsFiles::load(Path::new("/nonexistent/cert.pem"), &key).unwrap_err();
        assert!(
            matches!(missing, TlsError::UnreadableCertificate { .. }),
            "{missing}"
        );
        assert!(
            missing.to_string().contains("/nonexistent/cert.pem"),
            "{missing}"
        );

        let swapped = TlsFiles::load(&key, &cert).unwrap_err();
        assert!(
            matches!(swapped, TlsError::NoCertificate { .. }),
            "{swapped}"
        );

        let no_key = TlsFiles::load(&cert, &cert).unwrap_err();
        assert!(matches!(no_key, TlsError::NoKey { .. }), "{no_key}");

        let other_key = std::env::temp_dir().join(format!("tls-test-{}.key", std::process::id()));
        std::fs::write(&other_key, OTHER_KEY).unwrap();
        let mismatch = TlsFiles::load(&cert, &other_key).unwrap_err();
        std::fs::remove_file(&other_key).ok();
        assert!(
            matches!(mismatch, TlsError::KeyMismatch { .. }),
            "{mismatch}"
        );
        assert!(
            !mismatch.to_string().contains("PRIVATE"),
            "no key material: {mismatch}"
        );
    }

    /// A P-256 key that belongs to no certificate here.
    const OTHER_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfsqiLGzbOVht9Ab5
0dAZgYKxRs40MDXNe1FZiVh+I0mhRANCAAQYyPNhjpjKaRIMcSLbBDjuQ14E4SUg
r8kcH44m6u7381SLDjnsl9knyYlSK0Axvxddzwuzy1hFAcVrYwORUPon
-----END PRIVATE KEY-----
";
}
