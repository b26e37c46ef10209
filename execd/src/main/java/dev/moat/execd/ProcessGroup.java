package dev.moat.execd;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The processes of one command: a process group whose leader execd started in a new session (the leader's pid is the
 * group id), so signals reach grandchildren too, sent without forking a {@code kill} program. Where execd cannot give
 * commands their own group (no setsid for the ProcessBuilder fallback) it degrades to the leader alone.
 */
record ProcessGroup(long id, boolean ownGroup) {

    /** Linux signal numbers execd sends. */
    enum Signal {
        HUP(1),
        INT(2),
        KILL(9),
        TERM(15);

        final int number;

        Signal(int number) {
            this.number = number;
        }
    }

    static ProcessGroup of(ChildProcess leader, ProcessLauncher launcher) {
        return new ProcessGroup(leader.pid(), launcher.ownProcessGroups());
    }

    /** Sends the signal to the whole group; {@code false} when no process of it is left. */
    boolean signal(Signal signal) {
        return Libc.kill(id, ownGroup, signal.number);
    }

    /** Whether any process of the group is still running. */
    boolean isAlive() {
        return Libc.kill(id, ownGroup, 0);
    }

    /** TERM to the whole group now, KILL to whatever is left of it after {@code grace}. */
    void terminate(ScheduledExecutorService timer, Duration grace) {
        if (signal(Signal.TERM)) {
            timer.schedule(
                    () -> {
                        if (isAlive()) {
                            signal(Signal.KILL);
                        }
                    },
                    grace.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }
}
