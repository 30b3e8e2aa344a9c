/* pty_run: runs a program with a pseudo-terminal as its terminal, for the
 * end-to-end tests of what hb does only when a person is there (prompts,
 * progress lines, indented JSON). Unlike `script`, it keeps the streams a
 * test wants apart: any of stdin, stdout and stderr may be the terminal,
 * the others a file, so a test can read the result on stdout while the
 * prompts go to the terminal.
 *
 *   pty_run [--tty 0,1,2] [--stdout FILE] [--input TEXT] [--timeout S] -- PROG ARG...
 *
 * --tty       which of the child's fds are the terminal (default 0,1,2);
 *             a stdin that is not is /dev/null, a stdout or stderr that
 *             is not goes to --stdout FILE / this process's stderr
 * --input     typed at the terminal before the child reads, then end of
 *             input (Ctrl-D at the start of a line); \n separates lines
 * --timeout   the child is killed after S seconds (default 60): exit 124
 *
 * Everything the child writes to the terminal is copied to this process's
 * stdout. Echo and the CR of CR LF are off, so the copy is exactly what
 * the child printed. Exits with the child's exit code (128 + signal). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

typedef struct options {
    bool tty[3];
    const char *stdout_file;
    const char *input;
    int timeout_s;
    char **argv;
} options;

static int usage(void)
{
    fprintf(stderr, "usage: pty_run [--tty 0,1,2] [--stdout FILE] [--input TEXT] "
                    "[--timeout S] -- PROG ARG...\n");
    return 2;
}

static bool parse(int argc, char **argv, options *o)
{
    o->tty[0] = o->tty[1] = o->tty[2] = true;
    o->timeout_s = 60;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (i + 1 >= argc)
            return false;
        if (!strcmp(argv[i], "--tty")) {
            const char *list = argv[++i];
            o->tty[0] = strchr(list, '0') != NULL;
            o->tty[1] = strchr(list, '1') != NULL;
            o->tty[2] = strchr(list, '2') != NULL;
        } else if (!strcmp(argv[i], "--stdout")) {
            o->stdout_file = argv[++i];
        } else if (!strcmp(argv[i], "--input")) {
            o->input = argv[++i];
        } else if (!strcmp(argv[i], "--timeout")) {
            o->timeout_s = atoi(argv[++i]);
        } else {
            return false;
        }
    }
    if (i + 1 >= argc)
        return false;
    o->argv = argv + i + 1;
    return true;
}

/* The child's side: its fds as the options say, then the program. */
static void child(const options *o, int slave)
{
    setsid();
    ioctl(slave, TIOCSCTTY, 0);
    int null = open("/dev/null", O_RDONLY);
    dup2(o->tty[0] ? slave : null, 0);
    if (o->tty[1]) {
        dup2(slave, 1);
    } else if (o->stdout_file) {
        int fd = open(o->stdout_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(127);
        dup2(fd, 1);
        close(fd);
    }
    if (o->tty[2])
        dup2(slave, 2);
    close(null);
    close(slave);
    execvp(o->argv[0], o->argv);
    fprintf(stderr, "pty_run: %s: %s\n", o->argv[0], strerror(errno));
    _exit(127);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Copies the terminal's output until the child has exited and nothing is
 * left; kills the child at the deadline. */
static int pump(int master, pid_t pid, int timeout_s)
{
    time_t deadline = time(NULL) + timeout_s;
    int status = 0;
    bool exited = false, killed = false;
    for (;;) {
        struct pollfd p = {.fd = master, .events = POLLIN};
        if (poll(&p, 1, 50) > 0) {
            char buf[4096];
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0) {
                write_all(1, buf, (size_t)n);
                continue;
            }
            /* EIO: no process holds the terminal any more. */
            if (!exited)
                usleep(10000);
        }
        if (exited)
            break;
        if (waitpid(pid, &status, WNOHANG) == pid)
            exited = true; /* one more pass drains what is left */
        else if (!killed && time(NULL) >= deadline) {
            kill(pid, SIGKILL);
            killed = true;
        }
    }
    if (killed)
        return 124;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
    options o = {0};
    if (!parse(argc, argv, &o))
        return usage();
    struct termios t;
    struct winsize ws = {.ws_row = 24, .ws_col = 100};
    int master, slave;
    if (openpty(&master, &slave, NULL, NULL, &ws) != 0) {
        perror("pty_run: openpty");
        return 1;
    }
    tcgetattr(slave, &t);
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    t.c_oflag &= ~(tcflag_t)ONLCR;
    tcsetattr(slave, TCSANOW, &t);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("pty_run: fork");
        return 1;
    }
    if (pid == 0)
        child(&o, slave);
    close(slave);
    if (o.input && o.tty[0]) {
        write_all(master, o.input, strlen(o.input));
        const char eof = (char)t.c_cc[VEOF];
        write_all(master, &eof, 1);
    }
    return pump(master, pid, o.timeout_s);
}
