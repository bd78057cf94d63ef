// Package launcher is the action process of the Go runtime. `compile` adds
// one file to the action's package main,
//
//	func main() { launcher.Run("Main", Main) }
//
// and builds it with this package placed at actionproxy/launcher in the
// toolchain's source tree (go build -overlay), so that an init compiles only
// the action's own code: this package and the standard library come from the
// build cache.
//
// Started by the proxy (fd 3 is a pipe), it acks {"ok":true} on fd 3 when
// __OW_WAIT_FOR_ACK is set, then answers one JSON line on fd 3 per JSON line
// read on stdin. Started without fd 3 (by actionproxy/native's launcher, once
// per activation, or by hand), it runs one activation: the value is its first
// argument, or else its stdin, and the result is its last line on stdout.
package launcher

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime/debug"
	"strings"
	"syscall"
)

// Run serves the entry point `main`, named `name` in messages. It does not
// return.
func Run(name string, main any) {
	entry, err := newEntry(name, main)
	results, requests, served := protocolFiles()
	if !served {
		runOnce(entry, err)
		return
	}
	if err != nil {
		// In place of the ack: the init fails with this reason.
		fmt.Fprintln(os.Stderr, err)
		writeLine(results, "failed "+compact(map[string]string{"error": err.Error()}))
		os.Exit(1)
	}
	if os.Getenv("__OW_WAIT_FOR_ACK") != "" {
		writeLine(results, `{"ok":true}`)
	}
	environment := newActivationEnvironment()
	reader := bufio.NewReaderSize(requests, 64*1024)
	for {
		line, err := reader.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			writeLine(results, activate(entry, environment, line))
		}
		if err != nil {
			// The proxy is gone: leave, even if the action left goroutines.
			os.Exit(0)
		}
	}
}

// protocolFiles takes the proxy's pipes out of the action's reach: private
// descriptors (10 or more, closed on exec) for the requests and the results,
// /dev/null as stdin and no fd 3, so that a stray read of os.Stdin, a write
// on fd 3 or a child process cannot eat a request or forge a result. served
// is false when fd 3 is not a pipe: no proxy started this process.
func protocolFiles() (results, requests *os.File, served bool) {
	var stat syscall.Stat_t
	if syscall.Fstat(3, &stat) != nil || stat.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return nil, nil, false
	}
	results = os.NewFile(privateCopy(3), "results")
	syscall.Close(3)
	requests = os.NewFile(privateCopy(0), "requests")
	if devnull, err := syscall.Open(os.DevNull, syscall.O_RDONLY, 0); err == nil {
		syscall.Dup3(devnull, 0, 0)
		syscall.Close(devnull)
	}
	return results, requests, true
}

func privateCopy(fd int) uintptr {
	copied, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 10)
	if errno != 0 {
		fmt.Fprintf(os.Stderr, "the launcher cannot keep fd %d: %v\n", fd, errno)
		os.Exit(1)
	}
	return copied
}

func writeLine(file *os.File, line string) {
	if _, err := file.Write([]byte(line + "\n")); err != nil {
		os.Exit(1)
	}
}

// runOnce serves one activation from the arguments or stdin, as an
// executable of actionproxy/native: its last stdout line is the result.
func runOnce(entry *entry, err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		fmt.Println(compact(map[string]string{"error": err.Error()}))
		os.Exit(1)
	}
	var value []byte
	if len(os.Args) > 1 {
		value = []byte(os.Args[1])
	} else {
		value, _ = io.ReadAll(os.Stdin)
	}
	if len(bytes.TrimSpace(value)) == 0 {
		value = []byte("{}")
	}
	answer := entry.call(value)
	fmt.Println(strings.TrimPrefix(answer, "failed "))
	if answer != strings.TrimPrefix(answer, "failed ") {
		os.Exit(1)
	}
}

// activate runs one request line; it returns the answer line.
func activate(entry *entry, environment *activationEnvironment, line []byte) string {
	var request map[string]json.RawMessage
	if err := json.Unmarshal(line, &request); err != nil || request == nil {
		reason := "the request is not a JSON object"
		if err != nil {
			reason = err.Error()
		}
		return compact(map[string]string{"error": "the action received an invalid request: " + reason})
	}
	environment.export(request)
	value, given := request["value"]
	if !given {
		value = json.RawMessage("{}")
	}
	return entry.call(value)
}

// entry is the action's entry point: one parameter (any type JSON decodes
// into) or none, and a result, optionally followed by an error.
type entry struct {
	name      string
	function  reflect.Value
	parameter reflect.Type
	failing   bool
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

const forms = "func Main(obj map[string]interface{}) map[string]interface{}; the parameter may be any type JSON decodes into " +
	"([]interface{}, a struct, ...) or absent, the result a map, slice, struct or interface{}, optionally followed by an error"

func newEntry(name string, main any) (*entry, error) {
	function := reflect.ValueOf(main)
	kind := function.Type()
	if kind.Kind() != reflect.Func {
		return nil, fmt.Errorf("%s is a %s, not a function: write %s", name, kind, forms)
	}
	if kind.IsVariadic() || kind.NumIn() > 1 || kind.NumOut() < 1 || kind.NumOut() > 2 ||
		(kind.NumOut() == 2 && kind.Out(1) != errorType) {
		return nil, fmt.Errorf("%s has the type %s, which the launcher cannot call: write %s", name, kind, forms)
	}
	if !resultFits(kind.Out(0)) {
		return nil, fmt.Errorf("%s returns %s: an action's result must be a JSON object or array (%s)", name, kind.Out(0), forms)
	}
	result := &entry{name: name, function: function, failing: kind.NumOut() == 2}
	if kind.NumIn() == 1 {
		result.parameter = kind.In(0)
		switch result.parameter.Kind() {
		case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
			return nil, fmt.Errorf("%s takes %s, which JSON cannot decode into: write %s", name, result.parameter, forms)
		}
	}
	return result, nil
}

func resultFits(result reflect.Type) bool {
	if result.Kind() == reflect.Pointer {
		result = result.Elem()
	}
	switch result.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.Struct, reflect.Interface:
		return true
	}
	return false
}

// call decodes the value, calls the entry point and encodes its result; a
// panic is logged with its stack and answered as a developer error.
func (entry *entry) call(value json.RawMessage) (answer string) {
	var arguments []reflect.Value
	if entry.parameter != nil {
		argument := reflect.New(entry.parameter)
		if err := json.Unmarshal(value, argument.Interface()); err != nil {
			return compact(map[string]string{
				"error": fmt.Sprintf("the value does not fit %s's parameter (%s): %v", entry.name, entry.parameter, err),
			})
		}
		if entry.parameter.Kind() == reflect.Map && argument.Elem().IsNil() {
			// A null or missing value: an empty map, which the action can fill.
			argument.Elem().Set(reflect.MakeMap(entry.parameter))
		}
		arguments = []reflect.Value{argument.Elem()}
	}
	defer func() {
		if recovered := recover(); recovered != nil {
			fmt.Fprintf(os.Stderr, "panic: %v\n\n%s", recovered, debug.Stack())
			answer = "failed " + compact(map[string]string{"error": fmt.Sprintf("the action panicked: %v", recovered)})
		}
	}()
	results := entry.function.Call(arguments)
	if entry.failing && !results[1].IsNil() {
		err, _ := results[1].Interface().(error)
		message := err.Error()
		if message == "" {
			message = fmt.Sprintf("%T", err)
		}
		return compact(map[string]string{"error": message})
	}
	line, err := encode(results[0].Interface())
	if err != nil {
		fmt.Fprintf(os.Stderr, "the action's result is not JSON: %v\n", err)
		return compact(map[string]string{"error": "the action's result cannot be written as JSON: " + err.Error()})
	}
	return line
}

// encode writes one line of compact JSON: UTF-8, newlines in strings
// escaped, <, > and & as they are.
func encode(value any) (string, error) {
	var buffer bytes.Buffer
	encoder := json.NewEncoder(&buffer)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(value); err != nil {
		var marshaler *json.MarshalerError
		if errors.As(err, &marshaler) {
			return "", marshaler
		}
		return "", err
	}
	return strings.TrimSuffix(buffer.String(), "\n"), nil
}

func compact(value any) string {
	line, err := encode(value)
	if err != nil {
		return `{"error":"the launcher cannot write its answer"}`
	}
	return line
}

// activationEnvironment exports the activation's fields as __OW_<FIELD>
// variables, and takes back the ones a previous activation set that this one
// does not carry.
type activationEnvironment struct {
	original map[string]string
	exported map[string]bool
}

func newActivationEnvironment() *activationEnvironment {
	original := map[string]string{}
	for _, variable := range os.Environ() {
		if name, value, found := strings.Cut(variable, "="); found {
			original[name] = value
		}
	}
	return &activationEnvironment{original: original, exported: map[string]bool{}}
}

func (environment *activationEnvironment) export(request map[string]json.RawMessage) {
	names := map[string]bool{}
	for key, field := range request {
		if key == "value" {
			continue
		}
		name := "__OW_" + strings.ToUpper(key)
		var text string
		if json.Unmarshal(field, &text) != nil {
			var buffer bytes.Buffer
			if json.Compact(&buffer, field) == nil {
				text = buffer.String()
			} else {
				text = string(field)
			}
		}
		if err := os.Setenv(name, text); err != nil {
			fmt.Fprintf(os.Stderr, "warning: cannot export %s to the environment\n", name)
			continue
		}
		names[name] = true
	}
	for name := range environment.exported {
		if names[name] {
			continue
		}
		if value, found := environment.original[name]; found {
			os.Setenv(name, value)
		} else {
			os.Unsetenv(name)
		}
	}
	environment.exported = names
}
