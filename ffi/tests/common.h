/* Helpers shared by the C tests: checks, files, base64url, and an OpenSSL key
 * standing in for the Secure Enclave / StrongBox behind the signer and
 * key-agreement callbacks (it returns DER, as those key stores do). */
#ifndef PASSERELLE_TEST_COMMON_H
#define PASSERELLE_TEST_COMMON_H

#define OPENSSL_SUPPRESS_DEPRECATED
#include "passerelle.h"
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Atomic int checks = 0; /* the callbacks check on other threads too */

#define CHECK(cond)                                                              \
  do {                                                                           \
    checks++;                                                                    \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__,     \
              __LINE__, #cond, passerelle_last_error());                         \
      exit(1);                                                                   \
    }                                                                            \
  } while (0)

/* Asserts the code of a call, and that the last error agrees with it. */
#define EXPECT(code, call)                                                       \
  do {                                                                           \
    passerelle_result got_ = (call);                                             \
    checks++;                                                                    \
    if (got_ != (code)) {                                                        \
      fprintf(stderr, "%s:%d: %s returned %u (%s), expected %u (%s): %s\n",      \
              __FILE__, __LINE__, #call, got_, passerelle_result_kind(got_),     \
              (unsigned)(code), passerelle_result_kind(code),                    \
              passerelle_last_error());                                          \
      exit(1);                                                                   \
    }                                                                            \
    CHECK(passerelle_last_error_code() == (uint32_t)(code));                     \
    CHECK((code == PASSERELLE_OK) == (passerelle_last_error()[0] == '\0'));      \
  } while (0)

#define OK(call) EXPECT(PASSERELLE_OK, call)

static const uint64_t AT = 1790000000; /* 2026-09-21, inside the fixtures' validity */

__attribute__((unused)) static char *read_file(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) exit(1);
  buf[n] = 0;
  fclose(f);
  return buf;
}

static void b64url(const unsigned char *in, size_t n, char *out) {
  static const char a[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16;
    if (i + 1 < n) v |= (unsigned)in[i + 1] << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[o++] = a[(v >> 18) & 63];
    out[o++] = a[(v >> 12) & 63];
    if (i + 1 < n) out[o++] = a[(v >> 6) & 63];
    if (i + 2 < n) out[o++] = a[v & 63];
  }
  out[o] = 0;
}

/* A P-256 key "in hardware", and how its callback should behave. */
enum mode {
  GOOD_DER,       /* DER, as iOS/Android return it */
  GOOD_RAW,       /* r || s */
  FAIL_STATUS,    /* returns an error status */
  WRONG_LENGTH,   /* 63 bytes where 64 are needed */
  DER_AS_RAW,     /* DER, though the signer was registered as RAW (SIG-15) */
  RAW_AS_DER,     /* r || s, though the signer was registered as DER */
  GARBAGE,        /* 64 bytes that are no signature */
  OVER_CAPACITY,  /* claims more bytes than it was given */
  REENTER,        /* calls back into the library, then signs correctly */
};

struct hw_key {
  EVP_PKEY *key;
  enum mode mode;
  int calls;
  passerelle_result reentry_result;
  char jwk[256];
};

static void hw_key_init(struct hw_key *k) {
  memset(k, 0, sizeof *k);
  k->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  unsigned char pub[65];
  size_t publen = 0;
  CHECK(k->key && EVP_PKEY_get_octet_string_param(k->key, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                                  sizeof pub, &publen) &&
        publen == 65);
  char x[64], y[64];
  b64url(pub + 1, 32, x);
  b64url(pub + 33, 32, y);
  snprintf(k->jwk, sizeof k->jwk, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
}

static void hw_key_free(struct hw_key *k) { EVP_PKEY_free(k->key); }

static size_t der_sign(EVP_PKEY *key, const uint8_t *msg, size_t n, uint8_t *out, size_t cap) {
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  size_t len = cap;
  CHECK(EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, key) == 1);
  CHECK(EVP_DigestSign(c, out, &len, msg, n) == 1);
  EVP_MD_CTX_free(c);
  return len;
}

static size_t der_to_raw(uint8_t *sig, size_t len) {
  const unsigned char *p = sig;
  ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
  CHECK(s != NULL);
  const BIGNUM *r, *ss;
  ECDSA_SIG_get0(s, &r, &ss);
  uint8_t raw[64];
  BN_bn2binpad(r, raw, 32);
  BN_bn2binpad(ss, raw + 32, 32);
  ECDSA_SIG_free(s);
  memcpy(sig, raw, 64);
  return 64;
}

__attribute__((unused)) static uint32_t hw_sign(void *user_data, const uint8_t *msg, size_t msg_len, uint8_t *sig,
                        size_t cap, size_t *sig_len) {
  struct hw_key *k = user_data;
  k->calls++;
  if (k->mode == FAIL_STATUS) return 42;
  if (k->mode == REENTER) {
    passerelle_verifier v = 0;
    k->reentry_result = passerelle_verifier_new("{}", NULL, AT, &v);
  }
  size_t n = der_sign(k->key, msg, msg_len, sig, cap);
  switch (k->mode) {
    case GOOD_RAW:
    case RAW_AS_DER:
    case REENTER:
      n = der_to_raw(sig, n);
      break;
    case WRONG_LENGTH:
      n = der_to_raw(sig, n) - 1;
      break;
    case GARBAGE:
      memset(sig, 0x5a, 64);
      n = 64;
      break;
    case OVER_CAPACITY:
      n = cap + 1;
      break;
    default:
      break;
  }
  *sig_len = n;
  return 0;
}

__attribute__((unused)) static uint32_t hw_agree(void *user_data, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                         size_t cap, size_t *secret_len) {
  struct hw_key *k = user_data;
  k->calls++;
  if (k->mode == FAIL_STATUS) return 7;
  OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, peer, peer_len);
  OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(b);
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  EVP_PKEY *peer_key = NULL;
  CHECK(EVP_PKEY_fromdata_init(pc) == 1 &&
        EVP_PKEY_fromdata(pc, &peer_key, EVP_PKEY_PUBLIC_KEY, params) == 1);
  EVP_PKEY_CTX *dc = EVP_PKEY_CTX_new(k->key, NULL);
  size_t n = cap;
  CHECK(EVP_PKEY_derive_init(dc) == 1 && EVP_PKEY_derive_set_peer(dc, peer_key) == 1 &&
        EVP_PKEY_derive(dc, secret, &n) == 1);
  EVP_PKEY_CTX_free(dc);
  EVP_PKEY_free(peer_key);
  EVP_PKEY_CTX_free(pc);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(b);
  *secret_len = k->mode == WRONG_LENGTH ? n - 1 : n;
  return 0;
}

/* The SessionTranscript [null, null, "test"] as CBOR. */
__attribute__((unused)) static const uint8_t TRANSCRIPT[] = {0x83, 0xf6, 0xf6, 0x64, 't', 'e', 's', 't'};

#endif
