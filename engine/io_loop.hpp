// The I/O loop, compiled once per engine type (DESIGN.md rule 6): include this
// only from an engine's own .cpp, whose final class derives from EngineBase<E>.
// Because E is final, eng.queue/commit/reap are direct calls the compiler can
// inline, and the trace hook (tests, write_iolog) is a template flag, so a
// normal run pays nothing for it. One call runs one pass (one loop) of the job; the worker decides
// about loops, time_based repeats, fsync and teardown.
//
// Timestamps: start_ns before queue(); issue_ns after the commit() that
// submitted the unit; completion when reap() returned it. slat = issue-start,
// clat = completion-issue, lat = completion-start, so mean(slat)+mean(clat) =
// mean(lat) exactly. Engines that complete inside queue() have no slat and
// clat = lat, as fio reports for its sync engines.
#pragma once
#include <algorithm>

#include "engine/loop_clock.hpp"
#include "engine/worker.hpp"

namespace fiokit::engine {

template <class E, bool kTrace>
void io_loop_impl(E& eng, Worker& w) {
  IoQueue& q = w.queue;
  constexpr bool kOffload = requires { E::kOffload; };
  const IoQueue::Limits lim = q.limits();
  // The per-I/O stamps come from the TSC-backed loop clock (loop_clock.hpp),
  // unless something else in this pass stamps times with now_ns() that the
  // loop's stamps are compared with: submit threads (offload), the pacer
  // (rate, thinktime), flow control, latency_target, and the engines whose
  // completions the worker stamps itself (file operations, cpuio).
  constexpr bool kOwnStamps = requires { E::kFileOp; } || requires { E::kNoIo; };
  LoopClock clk(!kOffload && !kOwnStamps && !w.pacing && !w.thinking && !w.flow && !w.latency_on());
  auto fail_engine = [&](int rc, const char* what) {
    w.record_error(-rc, std::string(eng.name()) + " " + what);
  };
  auto submit = [&]() -> bool {
    const int rc = eng.commit();
    if (rc < 0) [[unlikely]] {
      fail_engine(rc, "submit failed");
      q.unqueue_all();  // nothing of this batch is in flight
      return false;
    }
    // io_submit_mode=offload (offload_engine.cpp): the submit threads stamp
    // issue_ns when they issue; stamping here would race with them.
    if constexpr (kOffload) q.submitted_unstamped();
    else q.submitted(clk.now());
    return true;
  };
  auto reap = [&](unsigned min, unsigned max) -> bool {
    const int n = eng.reap(std::min(min, q.inflight()), max);
    if (n < 0) [[unlikely]] {
      fail_engine(n, "reap failed");
      q.abandon_inflight();  // the engine is unusable; its units are abandoned with it
      return false;
    }
    const uint64_t t = clk.now();
    for (int i = 0; i < n; ++i) {
      q.reaped();
      IoUnit& u = *eng.event(static_cast<unsigned>(i));
      // offload: the I/O completed when its submit thread had it back, not
      // when this loop got round to reaping it.
      if constexpr (kOffload) w.complete<false>(u, eng.completion_ns(u));
      else w.complete<false>(u, t);
    }
    if (n) q.count_complete(static_cast<uint32_t>(n));
    return true;
  };
  // The end of a pass (or a stop): everything in flight is waited for in one
  // call, as fio does (min = max = the current depth).
  auto drain = [&]() {
    if (q.queued()) submit();
    while (q.inflight())
      if (!reap(q.inflight(), q.inflight())) break;
  };
  // fio's reaping rule (wait_for_completions), which shapes the depth
  // histogram: completions are waited for only when the queue is full (every
  // unit is out), or after every I/O in "polling" mode (iodepth_batch_complete_
  // min = max = 0). Each reap asks for at least iodepth_batch_complete_min (at
  // least 1) and at most iodepth_batch_complete_max completions; a full queue
  // keeps reaping until the depth is at or below iodepth_low. With the
  // defaults (1, 1, iodepth) one completion is reaped and one I/O refills its
  // place, so a qd32 job commits every I/O at depth 32, as fio reports.
  const unsigned full_min = std::max(1u, lim.complete_min);
  // latency_target (worker_latency.cpp): after each I/O issued (and whatever
  // was reaped for it), as fio checks once per pass of its loop, the search judges its window and may move the
  // depth the queue fills to. A ramp down or the final run first waits for
  // every I/O in flight (fio's io_u_quiesce); the I/Os reaped meanwhile are
  // judged too and may ramp down again, as they do inside fio's quiesce.
  const bool latq = w.latency_on();
  auto latency_step = [&]() {
    unsigned a = w.latency_check(now_ns());
    while (a & LatencyTarget::quiesce) {
      if (q.queued()) submit();
      while (q.inflight())
        if (!reap(q.inflight(), q.inflight())) break;
      const unsigned more = w.take_latency_action();
      if (!(more & LatencyTarget::quiesce)) {
        w.latency_apply(a | more, now_ns());
        return;
      }
      a |= more;
    }
    if (a) w.latency_apply(a, now_ns());
  };

  bool exhausted = false;
  for (;;) {
    while (!exhausted && q.has_room()) {
      if (w.halt_requested()) [[unlikely]]
        break;
      // flow_id / flow (engine/flow.hpp): asked before every I/O, as fio
      // asks at the top of its loop. Held back: with flow_sleep wait for the
      // I/Os in flight and sleep, else retry at once.
      if (w.flow && !w.flow->admit()) [[unlikely]] {
        if (w.flow_sleep_ns) {
          drain();
          w.sleep_until(now_ns() + w.flow_sleep_ns);
        } else {
          w.flow_spin();
        }
        continue;
      }
      if (w.sync_pending) [[unlikely]] {
        // fsync=N / fdatasync=N: as in fio, the sync is issued when the next
        // I/O is fetched (Worker::sync_at_fetch says when that is) and runs
        // while the writes already submitted are still in flight.
        if (w.sync_at_fetch()) {
          if (q.queued()) submit();
          w.issue_sync();
        }
      }
      IoUnit& u = q.next_free();
      if (!w.prep_io(u)) {
        exhausted = true;
        break;
      }
      q.take_free();
      if (w.pacing) [[unlikely]] {
        const uint64_t due = w.pacer.due(u.dir);
        while (now_ns() < due && !w.halt_requested()) {
          if (q.queued()) submit();
          if (q.inflight()) reap(1, lim.complete_max);
          else w.sleep_until(due);
        }
        w.pacer.charge(u.dir, u.len);
      }
      if (w.serialize_overlap) [[unlikely]] {
        // serialize_overlap, as fio 3.33: an I/O overlapping one queued or in
        // flight is held back; what is queued is committed, completions are
        // reaped as for a full queue, then it is checked again. fio retries
        // it as a requeued I/O with a new start time, so the wait is in no
        // latency: start_ns is taken after it.
        while (q.overlapping_out(u)) {
          if (q.queued() && !submit()) break;
          if (!q.inflight() || !reap(full_min, lim.complete_max)) break;
        }
      }
      if constexpr (kTrace) {
        w.on_issue(u);  // the test trace and write_iolog
        if (w.trace) w.trace->back().overlapping = q.overlapping_out(u);
      }
      u.start_ns = clk.now();
      QueueResult r;
      // Busy (the null engine while a batch is out): commit what is queued,
      // wait as for a full queue, and retry the same unit.
      while ((r = eng.queue(u)) == QueueResult::busy) [[unlikely]] {
        if (q.queued()) submit();
        if (!q.inflight() || !reap(full_min, lim.complete_max)) break;
      }
      if (r == QueueResult::completed) {
        q.count_submit(1);
        // File-operation engines (fio's FIO_NOSTATS): the I/O itself is
        // not timed; the engine's one file operation is (see complete_fileop).
        if constexpr (requires { E::kFileOp; }) w.complete_fileop(u, eng.take_op_ns());
        else if constexpr (requires { E::kNoIo; }) w.complete_noio(u, now_ns());
        else w.complete<true>(u, clk.now());
        q.count_complete(1);
      } else if (r == QueueResult::queued) {
        if (q.add_queued(&u)) submit();
      } else {
        w.record_error(EAGAIN, std::string(eng.name()) + " stayed busy with nothing in flight");
        q.put_free(&u);
      }
      if (w.thinking) [[unlikely]] {
        if (w.pacer.count_io()) {
          drain();
          w.think();
        }
      }
      if (w.sync_every) [[unlikely]]
        w.count_for_sync(u);
      if (latq) [[unlikely]]
        latency_step();
      if (lim.polling && r == QueueResult::queued) [[unlikely]]
        break;
    }
    if (exhausted || w.halt_requested()) break;
    if (q.queued() && !submit()) break;
    if (!q.inflight()) continue;
    const bool full = q.full();
    bool ok;
    do ok = reap(full ? full_min : 1, lim.complete_max);
    while (ok && full && q.inflight() > lim.low_water);
    if (!ok) break;
  }
  drain();
}

template <class E>
void EngineBase<E>::run_loop(Worker& w) {
  E& e = static_cast<E&>(*this);
  if (w.tracing()) io_loop_impl<E, true>(e, w);
  else io_loop_impl<E, false>(e, w);
}

}  // namespace fiokit::engine
