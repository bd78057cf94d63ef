/* A native action: each line read on stdin is written back on fd 3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) return 1;
    if (getenv("__OW_WAIT_FOR_ACK") != NULL) {
        fputs("{\"ok\":true}\n", out);
        fflush(out);
    }
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    while ((length = getline(&line, &capacity, stdin)) > 0) {
        printf("echo.c got %zd bytes\n", length);
        fflush(stdout);
        fputs(line, out);
        if (line[length - 1] != '\n') fputc('\n', out);
        fflush(out);
    }
    free(line);
    return 0;
}
