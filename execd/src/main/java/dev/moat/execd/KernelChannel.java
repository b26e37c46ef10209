package dev.moat.execd;

import org.zeromq.SocketType;

/** The five ZeroMQ channels of a Jupyter kernel and the socket type execd uses on its side of each. */
enum KernelChannel {
    /** Requests such as {@code execute_request}; replies come back on the same socket. */
    SHELL(SocketType.DEALER),
    /** Everything the kernel broadcasts: status, streams, results, errors. */
    IOPUB(SocketType.SUB),
    /** Requests for input from the kernel ({@code input()}); execd answers them with empty input. */
    STDIN(SocketType.DEALER),
    /** Interrupt and shutdown requests, served even while a cell runs. */
    CONTROL(SocketType.DEALER),
    /** Echoes bytes back; tells a live kernel from a frozen one. */
    HEARTBEAT(SocketType.REQ);

    private final SocketType socketType;

    KernelChannel(SocketType socketType) {
        this.socketType = socketType;
    }

    SocketType socketType() {
        return socketType;
    }
}
