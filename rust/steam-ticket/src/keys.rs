//! Ownership-ticket signatures: RSASSA-PKCS1-v1_5 with SHA-1 over the ownership ticket bytes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use ring::signature::{RsaPublicKeyComponents, RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::Signer;
use rsa::traits::PublicKeyParts;
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
///
/// Verification is ring's RSASSA-PKCS1-v1_5 with SHA-1 (`RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY`:
/// legacy indeed, and what Valve signs ownership tickets with). `rsa` stays for signing in the
/// simulation only.
#[derive(Clone)]
pub struct TrustedKey {
    name: Arc<str>,
    /// Big-endian modulus and public exponent, without leading zeros.
    modulus: Arc<[u8]>,
    exponent: Arc<[u8]>,
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
            modulus: key.n().to_bytes_be().into(),
            exponent: key.e().to_bytes_be().into(),
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

    /// The committed simulation key, under whatever name it was added: whatever it signed, anyone
    /// could have.
    pub fn is_simulation(&self) -> bool {
        self.same_key(&Self::simulation())
    }

    /// RSASSA-PKCS1-v1_5 with SHA-1 over `message`, by ring.
    fn verifies(&self, message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> bool {
        let key = RsaPublicKeyComponents {
            n: &self.modulus[..],
            e: &self.exponent[..],
        };
        key.verify(
            &RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            message,
            signature,
        )
        .is_ok()
    }

    /// Same modulus and exponent.
    fn same_key(&self, other: &TrustedKey) -> bool {
        self.modulus == other.modulus && self.exponent == other.exponent
    }
}

/// The keys a verifier trusts.
///
/// A failed check costs as much as a good one, and a verifier's tickets nearly all come from one
/// signer (Valve in production, the simulation key in a simulated run), so the key that verified the
/// last ticket is tried first. Clones share that memory.
#[derive(Debug, Clone)]
pub struct KeyRing {
    keys: Vec<TrustedKey>,
    /// Index of the key that verified the last ticket.
    last_signer: Arc<AtomicUsize>,
}

impl Default for KeyRing {
    /// Valve's key only: what a production server should trust.
    fn default() -> Self {
        Self::empty().trusting(TrustedKey::valve())
    }
}

impl KeyRing {
    /// Trusts no key at all.
    pub fn empty() -> Self {
        KeyRing {
            keys: Vec::new(),
            last_signer: Arc::default(),
        }
    }

    /// Valve's key and the simulation key: for the simulated backend and `--simulation` servers.
    pub fn with_simulation() -> Self {
        Self::default().trusting(TrustedKey::simulation())
    }

    /// Adds a key. A key already in the ring keeps its first name. A ring with another set of keys
    /// no longer shares its memory of the last signer with the clones of this one.
    pub fn trusting(mut self, key: TrustedKey) -> Self {
        if !self.keys.iter().any(|k| k.same_key(&key)) {
            self.keys.push(key);
            self.last_signer = Arc::default();
        }
        self
    }

    /// The name of the key whose signature matches, or `None` if none does.
    pub fn verify(&self, ticket: &DecodedTicket) -> Option<&str> {
        self.verifying_key(ticket).map(TrustedKey::name)
    }

    /// The key whose signature matches, or `None` if none does.
    pub fn verifying_key(&self, ticket: &DecodedTicket) -> Option<&TrustedKey> {
        let first = self.last_signer.load(Ordering::Relaxed);
        // Rings sharing `last_signer` hold the same keys, so `first` indexes this ring.
        let order = (first..self.keys.len()).chain(0..first);
        for i in order {
            let key = &self.keys[i];
            if key.verifies(&ticket.signed_bytes, &ticket.signature) {
                if i != first {
                    self.last_signer.store(i, Ordering::Relaxed);
                }
                return Some(key);
            }
        }
        None
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
