/* audio.c: narration files through libsndfile. */
#include "speech/speech.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "core/buf.h"

int speech_write(const char *path, const struct pcm *p, struct err *err)
{
    SF_INFO info;
    SNDFILE *f;
    struct buf tmp;
    size_t plen = strlen(path);
    int wav = plen > 4 && strcmp(path + plen - 4, ".wav") == 0;
    int rc = GZ_OK, fd;

    memset(&info, 0, sizeof info);
    info.samplerate = p->sr_hz;
    info.channels = 1;
    info.format = wav ? (SF_FORMAT_WAV | SF_FORMAT_PCM_16)
                      : (SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III);
    buf_init(&tmp, 0);
    buf_printf(&tmp, "%s.tmp%ld", path, (long)getpid());
    fd = open(buf_cstr(&tmp), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = err_set(err, GZ_EIO, "cannot create '%s': %s", buf_cstr(&tmp), strerror(errno));
        goto out;
    }
    f = sf_open_fd(fd, SFM_WRITE, &info, 0);
    if (!f) {
        close(fd);
        rc = err_set(err, GZ_EIO, "cannot encode '%s': %s", path, sf_strerror(NULL));
        goto fail;
    }
    if (!wav) {
        double q = 0.35; /* VBR quality: speech at a modest bitrate */
        sf_command(f, SFC_SET_COMPRESSION_LEVEL, &q, sizeof q);
    }
    if (sf_writef_float(f, p->s, (sf_count_t)p->n) != (sf_count_t)p->n) {
        rc = err_set(err, GZ_EIO, "cannot write '%s': %s", path, sf_strerror(f));
        sf_close(f);
        close(fd);
        goto fail;
    }
    sf_close(f);
    if (fsync(fd) != 0 || close(fd) != 0) {
        rc = err_set(err, GZ_EIO, "cannot flush '%s': %s", path, strerror(errno));
        goto fail;
    }
    if (rename(buf_cstr(&tmp), path) != 0) {
        rc = err_set(err, GZ_EIO, "cannot rename into '%s': %s", path, strerror(errno));
        goto fail;
    }
    goto out;
fail:
    unlink(buf_cstr(&tmp));
out:
    buf_release(&tmp);
    return rc;
}

int speech_probe(const char *path, double *duration_s, struct err *err)
{
    SF_INFO info;
    SNDFILE *f;
    float buf[4096];
    sf_count_t got;

    memset(&info, 0, sizeof info);
    f = sf_open(path, SFM_READ, &info);
    if (!f)
        return err_set(err, GZ_EAUDIO, "'%s' is not audio we can decode: %s", path,
                       sf_strerror(NULL));
    if (info.samplerate <= 0 || info.channels <= 0 || info.frames <= 0) {
        sf_close(f);
        return err_set(err, GZ_EAUDIO, "'%s' holds no audio", path);
    }
    /* Decode the first frames too: a header alone proves little. */
    got = sf_readf_float(f, buf, (sf_count_t)(sizeof buf / sizeof buf[0]) / info.channels);
    sf_close(f);
    if (got <= 0)
        return err_set(err, GZ_EAUDIO, "'%s' cannot be decoded", path);
    *duration_s = (double)info.frames / info.samplerate;
    return GZ_OK;
}
