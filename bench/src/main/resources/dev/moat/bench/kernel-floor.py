"""The kernel-only floor of a python cell: jupyter_client talks to a fresh ipykernel directly (no execd) and times
execute_request -> execute_reply and status idle, the same end execd waits for. Prints one time in ms per line."""
import os
import sys
import time

from jupyter_client.manager import start_new_kernel

warmup, runs = int(sys.argv[1]), int(sys.argv[2])
# the option execd gives every ipykernel (KernelSpec.IPYKERNEL_NO_HISTORY), so the floor runs the same kernel
manager, client = start_new_kernel(kernel_name="python3", extra_arguments=["--HistoryManager.enabled=False"])
try:
    def cell():
        start = time.perf_counter()
        msg_id = client.execute("1+1", store_history=True)
        replied = idle = False
        while not (replied and idle):
            if not idle:
                msg = client.get_iopub_msg(timeout=30)
                if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                        and msg["content"]["execution_state"] == "idle":
                    idle = True
            else:
                msg = client.get_shell_msg(timeout=30)
                if msg["parent_header"].get("msg_id") == msg_id:
                    replied = True
        return (time.perf_counter() - start) * 1000

    for _ in range(warmup):
        cell()
    for _ in range(runs):
        print("%.3f" % cell(), flush=True)
finally:
    client.stop_channels()
    manager.shutdown_kernel(now=True)
sys.stdout.flush()
os._exit(0)  # skip the interpreter's teardown, which trips over jupyter_client's __del__
