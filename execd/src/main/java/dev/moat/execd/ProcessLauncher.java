package dev.moat.execd;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.logging.Logger;

/**
 * Starts processes, each in a new session and process group. The usual launcher calls posix_spawn(3) directly (about
 * as fast as the JDK starting {@code /bin/true}); on a C library too old for it (glibc before 2.34) execd falls back
 * to the JDK's ProcessBuilder with {@code setsid}, which costs two more program starts per command.
 */
interface ProcessLauncher {

    /**
     * Environment variable (or system property {@value #CHOICE_PROPERTY}) that, set to {@code java}, forces the
     * ProcessBuilder launcher: for diagnosis, its tests, and the AOT training run.
     */
    String CHOICE_VARIABLE = "MOAT_EXECD_LAUNCHER";

    String CHOICE_PROPERTY = "moat.execd.launcher";

    ChildProcess launch(Launch launch) throws IOException;

    /** Whether started processes lead their own process group, so that a group signal reaches their children. */
    boolean ownProcessGroups();

    static ProcessLauncher forThisSystem(ShellPrograms programs, ExecutorService threads) {
        boolean forced = "java".equals(System.getProperty(CHOICE_PROPERTY, System.getenv(CHOICE_VARIABLE)));
        if (!forced && spawnWorks()) {
            return new SpawnLauncher(threads);
        }
        Logger.getLogger(ProcessLauncher.class.getName())
                .info(
                        forced
                                ? "commands start through ProcessBuilder and setsid, as " + CHOICE_VARIABLE
                                        + "=java asks"
                                : "this C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34+): commands"
                                        + " start through ProcessBuilder and setsid, which is slower");
        return new ProcessBuilderLauncher(programs);
    }

    private static boolean spawnWorks() {
        try {
            return PosixSpawn.available();
        } catch (LinkageError e) {
            // a C library without one of the basic calls: the class cannot even load
            return false;
        }
    }
}
