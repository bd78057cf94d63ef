/*
 * The blackbox runtime's launcher: the long-lived action process of a
 * "bring your own executable" action. The proxy starts it as
 * `launcher <path of exec>` (OW_LAUNCHER). For every activation line on
 * stdin it runs exec once, with the activation's `value` (as JSON text) as its
 * only argument and every other top-level field as an `__OW_<KEY>` variable.
 * The executable's stderr is the log as it is; its stdout is the log too,
 * except its last non-empty line, which is the result, written to fd 3.
 * The value is also the executable's stdin: one argument can carry at most
 * 128 KiB on Linux, so a larger value comes on stdin only (no argument).
 *
 * The proxy has already checked that each line is one JSON object, so the
 * scanner below only needs to walk valid JSON.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Linux's limit for one argument string (MAX_ARG_STRLEN), NUL included. */
#define MAX_ARGUMENT_BYTES (32 * 4096)

/* A growable byte buffer. */
typedef struct {
    char *data;
    size_t length;
    size_t capacity;
} Buffer;

static void buffer_append(Buffer *buffer, const char *bytes, size_t count) {
    if (buffer->length + count + 1 > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 4096;
        while (capacity < buffer->length + count + 1) capacity *= 2;
        char *grown = realloc(buffer->data, capacity);
        if (grown == NULL) {
            perror("blackbox launcher: out of memory");
            exit(1);
        }
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, bytes, count);
    buffer->length += count;
    buffer->data[buffer->length] = '\0';
}

static const char *skip_space(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    return p;
}

/* Past the end of the string that starts at the quote `p`. */
static const char *skip_string(const char *p) {
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) p++;
    }
    return *p ? p + 1 : p;
}

/* Past the end of the JSON value that starts at `p`. */
static const char *skip_value(const char *p) {
    if (*p == '"') return skip_string(p);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        for (; *p; p++) {
            if (*p == '"') {
                p = skip_string(p) - 1;
            } else if (*p == '{' || *p == '[') {
                depth++;
            } else if (*p == '}' || *p == ']') {
                if (--depth == 0) return p + 1;
            }
        }
        return p;
    }
    while (*p && *p != ',' && *p != '}' && *p != ']' && !isspace((unsigned char)*p)) p++;
    return p;
}

static void append_utf8(Buffer *out, unsigned long code) {
    char bytes[4];
    size_t count;
    if (code < 0x80) {
        bytes[0] = (char)code;
        count = 1;
    } else if (code < 0x800) {
        bytes[0] = (char)(0xC0 | (code >> 6));
        bytes[1] = (char)(0x80 | (code & 0x3F));
        count = 2;
    } else if (code < 0x10000) {
        bytes[0] = (char)(0xE0 | (code >> 12));
        bytes[1] = (char)(0x80 | ((code >> 6) & 0x3F));
        bytes[2] = (char)(0x80 | (code & 0x3F));
        count = 3;
    } else {
        bytes[0] = (char)(0xF0 | (code >> 18));
        bytes[1] = (char)(0x80 | ((code >> 12) & 0x3F));
        bytes[2] = (char)(0x80 | ((code >> 6) & 0x3F));
        bytes[3] = (char)(0x80 | (code & 0x3F));
        count = 4;
    }
    buffer_append(out, bytes, count);
}

static unsigned long read_hex4(const char *p) {
    char digits[5] = {0};
    for (int i = 0; i < 4 && p[i]; i++) digits[i] = p[i];
    return strtoul(digits, NULL, 16);
}

/* The text of the JSON string at `p` (which starts at its quote), unescaped. */
static void decode_string(const char *p, const char *end, Buffer *out) {
    for (p++; p < end && *p != '"'; p++) {
        if (*p != '\\') {
            buffer_append(out, p, 1);
            continue;
        }
        p++;
        switch (*p) {
        case 'b': buffer_append(out, "\b", 1); break;
        case 'f': buffer_append(out, "\f", 1); break;
        case 'n': buffer_append(out, "\n", 1); break;
        case 'r': buffer_append(out, "\r", 1); break;
        case 't': buffer_append(out, "\t", 1); break;
        case 'u': {
            unsigned long code = read_hex4(p + 1);
            p += 4;
            if (code >= 0xD800 && code < 0xDC00 && p[1] == '\\' && p[2] == 'u') {
                unsigned long low = read_hex4(p + 3);
                if (low >= 0xDC00 && low < 0xE000) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
            }
            append_utf8(out, code);
            break;
        }
        default: buffer_append(out, p, 1); break;
        }
    }
}

/* What one activation line holds: `value` as JSON text, the other fields as
 * `__OW_KEY=value` strings. */
typedef struct {
    Buffer value;
    char **environment;
    size_t count;
} Activation;

static void parse_activation(const char *line, Activation *activation) {
    memset(activation, 0, sizeof *activation);
    const char *p = skip_space(line);
    if (*p != '{') return;
    p = skip_space(p + 1);
    while (*p == '"') {
        const char *key_end = skip_string(p);
        Buffer key = {0};
        decode_string(p, key_end, &key);
        p = skip_space(key_end);
        if (*p == ':') p = skip_space(p + 1);
        const char *value_end = skip_value(p);
        if (key.data && strcmp(key.data, "value") == 0) {
            buffer_append(&activation->value, p, (size_t)(value_end - p));
        } else if (key.data) {
            Buffer variable = {0};
            buffer_append(&variable, "__OW_", 5);
            for (char *c = key.data; *c; c++) {
                char upper = (char)toupper((unsigned char)*c);
                buffer_append(&variable, &upper, 1);
            }
            buffer_append(&variable, "=", 1);
            if (*p == '"') {
                decode_string(p, value_end, &variable);
            } else {
                buffer_append(&variable, p, (size_t)(value_end - p));
            }
            activation->environment = realloc(activation->environment, (activation->count + 1) * sizeof(char *));
            activation->environment[activation->count++] = variable.data;
        }
        free(key.data);
        p = skip_space(value_end);
        if (*p == ',') p = skip_space(p + 1);
    }
    if (activation->value.data == NULL) buffer_append(&activation->value, "{}", 2);
}

static void write_all(int fd, const char *bytes, size_t count) {
    while (count > 0) {
        ssize_t written = write(fd, bytes, count);
        if (written < 0) {
            if (errno == EINTR) continue;
            return;
        }
        bytes += written;
        count -= (size_t)written;
    }
}

/* Writes `{"error":"<message>: <reason>"}` as the result. */
static void answer_error(const char *message) {
    Buffer line = {0};
    buffer_append(&line, "{\"error\":\"", 10);
    for (const char *c = message; *c; c++) {
        if (*c == '"' || *c == '\\') buffer_append(&line, "\\", 1);
        if ((unsigned char)*c >= 0x20) buffer_append(&line, c, 1);
    }
    buffer_append(&line, "\"}\n", 3);
    write_all(3, line.data, line.length);
    free(line.data);
}

/* Runs the action once and answers its last stdout line on fd 3. */
static void run(const char *action, const char *line) {
    Activation activation;
    parse_activation(line, &activation);
    int output[2];
    if (pipe2(output, O_CLOEXEC) != 0) {
        answer_error("cannot create a pipe for the action");
        return;
    }
    /* The value as a file, so that a child that never reads it cannot block us. */
    int input = memfd_create("value", MFD_CLOEXEC);
    if (input >= 0) {
        write_all(input, activation.value.data, activation.value.length);
        lseek(input, 0, SEEK_SET);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* The child sees neither the launcher's stdin nor its fd 3. */
        dup2(input >= 0 ? input : open("/dev/null", O_RDONLY), 0);
        dup2(output[1], 1);
        close(3);
        for (size_t i = 0; i < activation.count; i++) putenv(activation.environment[i]);
        int fits = activation.value.length < MAX_ARGUMENT_BYTES;
        execl(action, action, fits ? activation.value.data : (char *)NULL, (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", action, strerror(errno));
        printf("{\"error\":\"cannot run the action's exec: %s\"}\n", strerror(errno));
        fflush(stdout);
        _exit(127);
    }
    close(output[1]);
    if (input >= 0) close(input);
    Buffer printed = {0};
    char chunk[65536];
    ssize_t count;
    while ((count = read(output[0], chunk, sizeof chunk)) != 0) {
        if (count < 0) {
            if (errno == EINTR) continue;
            break;
        }
        buffer_append(&printed, chunk, (size_t)count);
    }
    close(output[0]);
    int status;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {}

    /* The last non-empty line is the result; everything before it is log. */
    size_t end = printed.length;
    while (end > 0 && (printed.data[end - 1] == '\n' || printed.data[end - 1] == '\r')) end--;
    size_t start = end;
    while (start > 0 && printed.data[start - 1] != '\n') start--;
    if (start > 0) write_all(1, printed.data, start);
    if (end > start) {
        write_all(3, printed.data + start, end - start);
        write_all(3, "\n", 1);
    } else {
        /* No result line: the proxy reports a result that is not an object. */
        write_all(3, "null\n", 5);
    }
    free(printed.data);
    free(activation.value.data);
    for (size_t i = 0; i < activation.count; i++) free(activation.environment[i]);
    free(activation.environment);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <action executable>\n", argv[0]);
        return 2;
    }
    /* The executable runs in its own folder, as upstream's skeleton runs
       /action/exec in /action: files beside it are found by relative paths. */
    char *action = realpath(argv[1], NULL);
    if (action == NULL) {
        fprintf(stderr, "cannot find the action's executable %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    char *slash = strrchr(action, '/');
    *slash = '\0';
    if (chdir(*action ? action : "/") == 0) setenv("PWD", *action ? action : "/", 1);
    *slash = '/';
    if (getenv("__OW_WAIT_FOR_ACK") != NULL) write_all(3, "{\"ok\":true}\n", 12);
    char *line = NULL;
    size_t capacity = 0;
    while (getline(&line, &capacity, stdin) > 0) run(action, line);
    free(line);
    free(action);
    return 0;
}
