// queue-load: a load generator for queue features amqp-bench does not exercise
// (priority queues, length limits), with amqp-bench's conventions so that
// ../shared/bench/compare.sh can run it against two brokers: one JSON object on
// stdout per run, a human line on stderr, loopback brokers only.
//
//	queue-load throughput [flags]   one producer and one consumer on one queue for --duration
//	queue-load backlog [flags]      --messages into the queue (confirms), then consume them all
//
// The queue gets x-max-priority with --max-priority (each message a random priority
// 0..max), x-max-length and x-overflow with --max-length / --overflow.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

type options struct {
	url, label     string
	brokerPid      int
	size           int
	duration       time.Duration
	prefetch       int
	maxPriority    int
	maxLength      int
	overflow       string
	messages       int
	maxOutstanding int
	persistent     bool
	consumers      int
}

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "throughput" && os.Args[1] != "backlog") {
		fmt.Fprintln(os.Stderr, "usage: queue-load throughput|backlog [flags]  (-h for flags)")
		os.Exit(2)
	}
	scenario := os.Args[1]
	o := options{}
	fs := flag.NewFlagSet("queue-load", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "amqp://guest:guest@127.0.0.1:5672/", "broker URL (loopback only)")
	fs.StringVar(&o.label, "label", "", "free text copied into the JSON")
	fs.IntVar(&o.brokerPid, "broker-pid", 0, "sample this process's RSS and CPU time")
	fs.IntVar(&o.size, "size", 1024, "message body size")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "throughput: publishing time")
	fs.IntVar(&o.prefetch, "prefetch", 1000, "consumer prefetch (manual ack, multiple every prefetch/2)")
	fs.IntVar(&o.maxPriority, "max-priority", 0, "x-max-priority; messages get random priorities 0..max")
	fs.IntVar(&o.maxLength, "max-length", 0, "x-max-length (0 = none)")
	fs.StringVar(&o.overflow, "overflow", "", "x-overflow")
	fs.IntVar(&o.messages, "messages", 1_000_000, "backlog: messages to publish")
	fs.IntVar(&o.maxOutstanding, "max-outstanding", 1000, "unconfirmed messages at most (backlog)")
	fs.BoolVar(&o.persistent, "persistent", false, "durable queue, delivery_mode 2")
	fs.IntVar(&o.consumers, "consumers", 1, "throughput: 0 or 1 consumer (0: a length limit drops what overflows)")
	if err := fs.Parse(os.Args[2:]); err != nil {
		os.Exit(2)
	}
	if err := loopbackOnly(o.url); err != nil {
		fmt.Fprintln(os.Stderr, "queue-load:", err)
		os.Exit(2)
	}
	sampler := startSampler(o.brokerPid)
	var result map[string]any
	var err error
	if scenario == "throughput" {
		result, err = throughput(o)
	} else {
		result, err = backlog(o)
	}
	if result == nil {
		result = map[string]any{}
	}
	sampler.report(result)
	// amqp-bench's shape, which compare.sh and summarize.py read: the figures under "results".
	run := map[string]any{"tool": "queue-load", "scenario": scenario, "label": o.label, "ok": err == nil, "params": o.params(), "results": result}
	if err != nil {
		run["error"] = err.Error()
	}
	line, _ := json.Marshal(run)
	fmt.Println(string(line))
	fmt.Fprintf(os.Stderr, "queue-load %s %s: %v\n", scenario, o.label, summary(result))
	if err != nil {
		os.Exit(1)
	}
}

func (o options) params() map[string]any {
	return map[string]any{
		"size": o.size, "duration_s": o.duration.Seconds(), "prefetch": o.prefetch, "max_priority": o.maxPriority,
		"max_length": o.maxLength, "overflow": o.overflow, "messages": o.messages, "persistent": o.persistent, "consumers": o.consumers,
	}
}

func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.") {
		return nil
	}
	return fmt.Errorf("%s: only loopback brokers", host)
}

func summary(r map[string]any) string {
	var parts []string
	for _, k := range []string{"published_per_s", "delivered_per_s", "publish_per_s", "consume_per_s", "broker_rss_peak_mb", "ordered", "error"} {
		if v, ok := r[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return strings.Join(parts, " ")
}

// declare makes a fresh queue with the feature arguments; the caller deletes it.
func declare(ch *amqp.Channel, o options) (string, error) {
	args := amqp.Table{}
	if o.maxPriority > 0 {
		args["x-max-priority"] = int32(o.maxPriority)
	}
	if o.maxLength > 0 {
		args["x-max-length"] = int32(o.maxLength)
	}
	if o.overflow != "" {
		args["x-overflow"] = o.overflow
	}
	name := fmt.Sprintf("queue-load.%d-%d", os.Getpid(), rand.Int63())
	_, err := ch.QueueDeclare(name, o.persistent, false, false, false, args)
	return name, err
}

func message(o options, body []byte, rnd *rand.Rand) amqp.Publishing {
	p := amqp.Publishing{Body: body}
	if o.persistent {
		p.DeliveryMode = amqp.Persistent
	}
	if o.maxPriority > 0 {
		p.Priority = uint8(rnd.Intn(o.maxPriority + 1))
	}
	return p
}

// consume acks with multiple=true every prefetch/2 deliveries; onDelivery sees each one.
func consume(conn *amqp.Connection, queue string, o options, onDelivery func(amqp.Delivery)) (*amqp.Channel, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, err
	}
	if err := ch.Qos(o.prefetch, 0, false); err != nil {
		return nil, err
	}
	deliveries, err := ch.Consume(queue, "", false, false, false, false, nil)
	if err != nil {
		return nil, err
	}
	every := o.prefetch / 2
	if every < 1 {
		every = 1
	}
	go func() {
		n := 0
		for d := range deliveries {
			onDelivery(d)
			n++
			if n%every == 0 {
				_ = d.Ack(true)
			}
		}
	}()
	return ch, nil
}

func throughput(o options) (map[string]any, error) {
	pconn, err := amqp.Dial(o.url)
	if err != nil {
		return nil, err
	}
	defer pconn.Close()
	cconn, err := amqp.Dial(o.url)
	if err != nil {
		return nil, err
	}
	defer cconn.Close()
	pch, err := pconn.Channel()
	if err != nil {
		return nil, err
	}
	queue, err := declare(pch, o)
	if err != nil {
		return nil, err
	}
	defer func() { _, _ = pch.QueueDelete(queue, false, false, false) }()

	var delivered, inWindow int64
	var measuring atomic.Bool
	if o.consumers > 0 {
		cch, err := consume(cconn, queue, o, func(amqp.Delivery) {
			atomic.AddInt64(&delivered, 1)
			if measuring.Load() {
				atomic.AddInt64(&inWindow, 1)
			}
		})
		if err != nil {
			return nil, err
		}
		defer cch.Close()
	}

	body := make([]byte, o.size)
	rnd := rand.New(rand.NewSource(1))
	published := 0
	measuring.Store(true)
	start := time.Now()
	for time.Since(start) < o.duration {
		for i := 0; i < 100; i++ {
			if err := pch.Publish("", queue, false, false, message(o, body, rnd)); err != nil {
				return nil, err
			}
			published++
		}
	}
	window := time.Since(start).Seconds()
	measuring.Store(false)
	// Drain: wait until deliveries stop growing (a limited queue drops what it cannot keep).
	last, still := atomic.LoadInt64(&delivered), time.Now()
	for o.consumers > 0 && time.Since(still) < 2*time.Second {
		time.Sleep(100 * time.Millisecond)
		if now := atomic.LoadInt64(&delivered); now != last {
			last, still = now, time.Now()
		}
	}
	result := map[string]any{
		"published":       published,
		"received":        last,
		"published_per_s": float64(published) / window,
		"delivered_per_s": float64(atomic.LoadInt64(&inWindow)) / window,
	}
	if o.maxLength > 0 {
		// What the queue holds at the end: the limit, if it was kept.
		if q, err := pch.QueueDeclarePassive(queue, o.persistent, false, false, false, nil); err == nil {
			result["messages_at_end"] = q.Messages
		}
	}
	return result, nil
}

func backlog(o options) (map[string]any, error) {
	conn, err := amqp.Dial(o.url)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return nil, err
	}
	queue, err := declare(ch, o)
	if err != nil {
		return nil, err
	}
	defer func() { _, _ = ch.QueueDelete(queue, false, false, false) }()
	if err := ch.Confirm(false); err != nil {
		return nil, err
	}
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, o.maxOutstanding))
	body := make([]byte, o.size)
	rnd := rand.New(rand.NewSource(1))
	start := time.Now()
	outstanding := 0
	for i := 0; i < o.messages; i++ {
		for outstanding >= o.maxOutstanding {
			if c := <-confirms; !c.Ack {
				return nil, errors.New("publish nacked")
			}
			outstanding--
		}
		if err := ch.Publish("", queue, false, false, message(o, body, rnd)); err != nil {
			return nil, err
		}
		outstanding++
	}
	for ; outstanding > 0; outstanding-- {
		if c := <-confirms; !c.Ack {
			return nil, errors.New("publish nacked")
		}
	}
	publishSeconds := time.Since(start).Seconds()
	afterPublish := rssMB(o.brokerPid)

	cconn, err := amqp.Dial(o.url)
	if err != nil {
		return nil, err
	}
	defer cconn.Close()
	var mu sync.Mutex
	received, ordered, last := 0, true, 256
	done := make(chan struct{})
	start = time.Now()
	cch, err := consume(cconn, queue, o, func(d amqp.Delivery) {
		mu.Lock()
		defer mu.Unlock()
		if int(d.Priority) > last {
			ordered = false
		}
		last = int(d.Priority)
		received++
		if received == o.messages {
			close(done)
		}
	})
	if err != nil {
		return nil, err
	}
	defer cch.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		return nil, fmt.Errorf("consumed %d of %d", received, o.messages)
	}
	result := map[string]any{
		"published":                   o.messages,
		"received":                    received,
		"publish_per_s":               float64(o.messages) / publishSeconds,
		"consume_per_s":               float64(o.messages) / time.Since(start).Seconds(),
		"broker_rss_after_publish_mb": afterPublish,
	}
	if o.maxPriority > 0 {
		// A whole backlog published before consuming comes out highest priority first.
		result["ordered"] = ordered
	}
	return result, nil
}

// sampler follows the broker's RSS (every 100 ms) and CPU time, as amqp-bench does.
type sampler struct {
	pid      int
	peak     float64
	cpuStart float64
	stop     chan struct{}
	mu       sync.Mutex
}

func startSampler(pid int) *sampler {
	s := &sampler{pid: pid, stop: make(chan struct{})}
	if pid == 0 {
		return s
	}
	s.cpuStart = cpuSeconds(pid)
	go func() {
		ticker := time.NewTicker(100 * time.Millisecond)
		defer ticker.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-ticker.C:
				if v := rssMB(pid); v > 0 {
					s.mu.Lock()
					if v > s.peak {
						s.peak = v
					}
					s.mu.Unlock()
				}
			}
		}
	}()
	return s
}

func (s *sampler) report(result map[string]any) {
	if s.pid == 0 {
		return
	}
	close(s.stop)
	s.mu.Lock()
	defer s.mu.Unlock()
	result["broker_rss_peak_mb"] = s.peak
	result["broker_cpu_s"] = cpuSeconds(s.pid) - s.cpuStart
}

func rssMB(pid int) float64 {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			fields := strings.Fields(line)
			kb, _ := strconv.ParseFloat(fields[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	rest := strings.Fields(string(data)[strings.LastIndexByte(string(data), ')')+2:])
	utime, _ := strconv.ParseFloat(rest[11], 64)
	stime, _ := strconv.ParseFloat(rest[12], 64)
	return (utime + stime) / 100
}
