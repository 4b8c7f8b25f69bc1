/* alsa_fault.so: an LD_PRELOAD shim for the CLI error tests that makes
 * snd_pcm_open() fail the way a real device does when another program
 * holds it, without a sound card.
 *
 *   SMFPLAY_FAULT_PCM=NAME          the PCM name to fail (others open normally)
 *   SMFPLAY_FAULT_OPEN_ERRNO=16     the errno snd_pcm_open returns (16 = EBUSY)
 *
 * Built by host/tests/common/faults.rs with the system C compiler. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <alsa/asoundlib.h>

typedef int (*open_fn)(snd_pcm_t **, const char *, snd_pcm_stream_t, int);

int snd_pcm_open(snd_pcm_t **pcm, const char *name, snd_pcm_stream_t stream, int mode) {
    const char *target = getenv("SMFPLAY_FAULT_PCM");
    const char *err = getenv("SMFPLAY_FAULT_OPEN_ERRNO");
    if (target && err && name && strcmp(target, name) == 0) {
        *pcm = NULL;
        return -atoi(err);
    }
    open_fn real = (open_fn)dlsym(RTLD_NEXT, "snd_pcm_open");
    if (!real)
        return -ENOSYS;
    return real(pcm, name, stream, mode);
}
