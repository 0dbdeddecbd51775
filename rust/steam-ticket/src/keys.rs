//! Ownership-ticket signatures: RSASSA-PKCS1-v1_5 with SHA-1 over the ownership ticket bytes.

use std::sync::{Arc, OnceLock};

use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;

use crate::decode::DecodedTicket;
use crate::model::SIGNATURE_LEN;

/// Name reported when Valve's key verified a ticket.
pub const VALVE: &str = "valve";
/// Name reported when the simulation key verified a ticket.
pub const SIMULATION: &str = "simulation";

const VALVE_PUBLIC_KEY_PEM: &str = include_str!("../keys/valve-public-key.pem");
const SIMULATION_PUBLIC_KEY_PEM: &str = include_str!("../keys/simulation-public-key.pem");
/// Not a secret: see keys/README.md. Anyone can mint simulated tickets; only trust them in simulation.
const SIMULATION_PRIVATE_KEY_PEM: &str = include_str!("../keys/simulation-private-key.pem");

/// A public key a ticket's signature may verify against, with the name to report.
#[derive(Clone)]
pub struct TrustedKey {
    name: Arc<str>,
    key: VerifyingKey<Sha1>,
}

impl std::fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedKey")
            .field("name", &self.name)
            .finish()
    }
}

impl TrustedKey {
    /// Wraps an RSA public key under a name that [`KeyRing::verify`] reports.
    pub fn new(name: &str, key: RsaPublicKey) -> Self {
        TrustedKey {
            name: name.into(),
            key: VerifyingKey::new(key),
        }
    }

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(name: &str, pem: &str) -> Result<Self, rsa::pkcs8::spki::Error> {
        Ok(Self::new(name, RsaPublicKey::from_public_key_pem(pem)?))
    }

    /// Valve's key, which signs every real Steam ticket.
    pub fn valve() -> Self {
        static KEY: OnceLock<TrustedKey> = OnceLock::new();
        KEY.get_or_init(|| {
            Self::from_pem(VALVE, VALVE_PUBLIC_KEY_PEM).expect("embedded Valve key is valid PEM")
        })
        .clone()
    }

    /// The committed simulation key (not secret), which signs simulated tickets.
    pub fn simulation() -> Self {
        static KEY: OnceLock<TrustedKey> = OnceLock::new();
        KEY.get_or_init(|| {
            Self::from_pem(SIMULATION, SIMULATION_PUBLIC_KEY_PEM)
                .expect("embedded simulation key is valid PEM")
        })
        .clone()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn verifies(&self, message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> bool {
        Signature::try_from(&signature[..])
            .map(|sig| self.key.verify(message, &sig).is_ok())
            .unwrap_or(false)
    }
}

/// The keys a verifier trusts, tried in order.
#[derive(Debug, Clone)]
pub struct KeyRing {
    keys: Vec<TrustedKey>,
}

impl Default for KeyRing {
    /// Valve's key only: what a production server should trust.
    fn default() -> Self {
        KeyRing {
            keys: vec![TrustedKey::valve()],
        }
    }
}

impl KeyRing {
    /// Trusts no key at all.
    pub fn empty() -> Self {
        KeyRing { keys: Vec::new() }
    }

    /// Valve's key and the simulation key: for the simulated backend and `--simulation` servers.
    pub fn with_simulation() -> Self {
        Self::default().trusting(TrustedKey::simulation())
    }

    /// Adds a key.
    pub fn trusting(mut self, key: TrustedKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Names of the trusted keys, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(TrustedKey::name)
    }

    /// The name of the first key whose signature matches, or `None` if none does.
    pub fn verify(&self, ticket: &DecodedTicket) -> Option<&str> {
        self.keys
            .iter()
            .find(|key| key.verifies(&ticket.signed_bytes, &ticket.signature))
            .map(TrustedKey::name)
    }
}

/// Signs ownership tickets with the simulation key.
#[derive(Clone)]
pub struct SimulationSigner {
    key: SigningKey<Sha1>,
}

impl SimulationSigner {
    /// The committed simulation key (parsed once per process).
    pub fn new() -> Self {
        static KEY: OnceLock<SigningKey<Sha1>> = OnceLock::new();
        let key = KEY.get_or_init(|| {
            let private = RsaPrivateKey::from_pkcs8_pem(SIMULATION_PRIVATE_KEY_PEM)
                .expect("embedded simulation private key is valid PEM");
            SigningKey::new(private)
        });
        SimulationSigner { key: key.clone() }
    }

    /// PKCS#1 v1.5 / SHA-1 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let signature: Box<[u8]> = self.key.sign(message).into();
        signature
            .as_ref()
            .try_into()
            .expect("a 1024-bit key makes 128-byte signatures")
    }
}

impl Default for SimulationSigner {
    fn default() -> Self {
        Self::new()
    }
}
