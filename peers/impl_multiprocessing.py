"""multiprocessing peers (julia, mandelbrot): the image's rows are tasks,
shipped in chunks to a `multiprocessing.Pool` of `--threads` worker
processes, which run impl_python's row loop (the `python` peer's own code)
and send each row's counts back.

Tasks go out with `Pool.imap(worker, rows, chunksize)`: Pool.map's chunked
shipping, with the chunk size Pool.map would pick itself (rows / (4 ·
processes), rounded up), but yielding rows as they come back so that the
pure-Python time budget can stop a run that would take too long.

What shipping costs is measured apart and reported in the row's note: the
same tasks through the same pool and the same collecting loop, with a worker
that computes nothing and returns a row of the same size. The pool is
started (and its workers warmed with one small map) before timing; its start
time is in the note too, never in the timed calls.
"""
import array
import multiprocessing
import time

import impl_python
import inputs


def _julia_task(task):
    xs, y, cr, ci, maxiter = task
    out = array.array("i", bytes(4 * len(xs)))
    impl_python.julia_row(xs, y, cr, ci, maxiter, out, 0)
    return out


def _mandelbrot_task(task):
    xs, ci, maxiter = task
    out = array.array("i", bytes(4 * len(xs)))
    impl_python.mandelbrot_row(xs, ci, maxiter, out, 0)
    return out


def _noop_task(task):
    """The same payload in and out, nothing computed."""
    return array.array("i", bytes(4 * len(task[0])))


def _peer(tasks, worker, width, budget, processes, shipping_runs=3):
    processes = max(1, processes)
    chunksize = max(1, -(-len(tasks) // (4 * processes)))
    method = multiprocessing.get_start_method()
    t0 = time.perf_counter()
    pool = multiprocessing.Pool(processes)
    try:
        pool.map(_noop_task, tasks[:processes], 1)  # every worker started
        started = time.perf_counter() - t0
        out = array.array("i", bytes(4 * width * len(tasks)))

        def collect(fn):
            k = 0
            for done, row in enumerate(pool.imap(fn, tasks, chunksize), 1):
                out[k:k + width] = row
                k += width
                if done % chunksize == 0:
                    # Rows come back a chunk at a time, while the other workers are about
                    # as far into theirs: count those as done for the projection.
                    budget.tick(min(len(tasks), done + (processes - 1) * chunksize), len(tasks))
            return out

        shipping = []
        for _ in range(shipping_runs):
            t = time.perf_counter()
            collect(_noop_task)
            shipping.append(time.perf_counter() - t)
        shipping.sort()
        ship = shipping[len(shipping) // 2]
    except BaseException:
        pool.terminate()
        raise

    state = {"finished": True}

    def run():
        state["finished"] = False
        result = collect(worker)
        state["finished"] = True
        return result

    def note(median):
        share = " = %.2g%% of the median" % (100.0 * ship / median) if median else ""
        return ("Pool.imap chunksize %d (%d chunks, %d processes, %s); shipping %.3g s%s (no-op map, same data); "
                "pool start %.3g s untimed" % (chunksize, -(-len(tasks) // chunksize), processes, method,
                                                ship, share, started))

    def close():
        # Idle workers exit on the pool's sentinel; a run stopped half-way (over budget, an
        # error) still has tasks queued, so its workers are terminated instead.
        if state["finished"]:
            pool.close()
        else:
            pool.terminate()
        pool.join()

    run.note = note
    run.close = close
    return run


def julia(p, budget, processes):
    xs, ys = inputs.julia_axis_lists(p)
    tasks = [(xs, y, p["c_re"], p["c_im"], p["maxiter"]) for y in ys]
    return _peer(tasks, _julia_task, len(xs), budget, processes)


def mandelbrot(p, budget, processes):
    xs, ys = inputs.mandelbrot_axis_lists(p)
    tasks = [(xs, ci, p["maxiter"]) for ci in ys]
    return _peer(tasks, _mandelbrot_task, len(xs), budget, processes)
