/* FFI-10/11/14 across threads: two threads share one verifier and one
 * callback signer (so the callback fires on both threads, concurrently), each
 * reads only its own last error; the main thread frees the shared handles
 * while nothing runs. Run under helgrind by run.sh. */
#include "common.h"
#include <pthread.h>

struct shared {
  passerelle_verifier verifier;
  passerelle_signer holder;
  const char *credential;
  int id;
  int ok;
};

static pthread_mutex_t hw_lock = PTHREAD_MUTEX_INITIALIZER;

/* The hardware key is one device: the app serialises access to it, as a key
 * store does; the library itself takes no lock across the callback. */
static uint32_t locked_sign(void *user_data, const uint8_t *msg, size_t n, uint8_t *sig, size_t cap,
                            size_t *len) {
  pthread_mutex_lock(&hw_lock);
  uint32_t r = hw_sign(user_data, msg, n, sig, cap, len);
  pthread_mutex_unlock(&hw_lock);
  return r;
}

static void *run(void *arg) {
  struct shared *s = arg;
  char nonce[32];
  for (int i = 0; i < 4; i++) {
    snprintf(nonce, sizeof nonce, "n-%d-%d", s->id, i);
    char *vp = NULL, *result = NULL;
    if (passerelle_present_sd_jwt(s->credential, "\"all\"", s->holder, nonce, "https://rp.example",
                                  AT, &vp) != PASSERELLE_OK)
      return NULL;
    if (passerelle_verify(s->verifier, (const uint8_t *)vp, strlen(vp), AT, nonce,
                          "https://rp.example", NULL, 0, NULL, &result) != PASSERELLE_OK)
      return NULL;
    passerelle_string_free(result);
    /* a failure on this thread is this thread's last error only */
    if (passerelle_verify(s->verifier, (const uint8_t *)vp, strlen(vp), AT, "wrong",
                          "https://rp.example", NULL, 0, NULL, &result) != PASSERELLE_HOLDER_BINDING)
      return NULL;
    if (passerelle_last_error_code() != PASSERELLE_HOLDER_BINDING) return NULL;
    passerelle_string_free(vp);
  }
  s->ok = 1;
  return NULL;
}

int main(void) {
  char *trust = read_file("trust.json");
  char *issuer_jwk = read_file("issuer_key.jwk");
  char *claims = read_file("pid_claims.json");
  struct hw_key hw;
  hw_key_init(&hw);
  passerelle_verifier v = 0;
  passerelle_signer issuer = 0, holder = 0;
  OK(passerelle_verifier_new(trust, NULL, AT, &v));
  OK(passerelle_signer_from_jwk(issuer_jwk, &issuer));
  OK(passerelle_signer_new(PASSERELLE_ALG_ES256, PASSERELLE_SIGNATURE_DER, hw.jwk, locked_sign, &hw,
                           &holder));
  char options[512];
  snprintf(options, sizeof options, "{\"holder_key\": %s}", hw.jwk);
  char *cred = NULL;
  OK(passerelle_issue_sd_jwt_vc(issuer, claims, options, AT, &cred));
  /* one verification first: the library's lazily built tables (std OnceLock,
   * a futex helgrind cannot see) are then made before the threads start, so
   * helgrind needs no suppression file */
  char *vp0 = NULL, *r0 = NULL;
  OK(passerelle_present_sd_jwt(cred, "\"all\"", holder, "n-0", "https://rp.example", AT, &vp0));
  OK(passerelle_verify(v, (const uint8_t *)vp0, strlen(vp0), AT, "n-0", "https://rp.example", NULL, 0,
                       NULL, &r0));
  passerelle_string_free(r0);
  passerelle_string_free(vp0);
  /* this thread's error stays while the others work */
  EXPECT(PASSERELLE_MALFORMED, passerelle_verifier_new("{", NULL, AT, &(passerelle_verifier){0}));
  struct shared a = {v, holder, cred, 1, 0}, b = {v, holder, cred, 2, 0};
  pthread_t ta, tb;
  CHECK(pthread_create(&ta, NULL, run, &a) == 0);
  CHECK(pthread_create(&tb, NULL, run, &b) == 0);
  CHECK(pthread_join(ta, NULL) == 0);
  CHECK(pthread_join(tb, NULL) == 0);
  CHECK(a.ok && b.ok);
  CHECK(passerelle_last_error_code() == PASSERELLE_MALFORMED);
  CHECK(hw.calls == 9);
  passerelle_string_free(cred);
  OK(passerelle_signer_free(holder));
  OK(passerelle_signer_free(issuer));
  OK(passerelle_verifier_free(v));
  hw_key_free(&hw);
  free(trust);
  free(issuer_jwk);
  free(claims);
  printf("threads: %d passed, 0 failed\n", checks);
  return 0;
}
