package extract

import (
	"strconv"
	"strings"

	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/observation"
)

// slotted fills objects property by property and starts a new object of the
// same group when a property is already set to another value (a chain of
// certificates, several files of one group).
type slotted struct {
	b    *obsBuilder
	typ  string
	objs map[uint8][]*observation.Object
}

func (s *slotted) get(g uint8, prop, value string) *observation.Object {
	list := s.objs[g]
	for _, o := range list {
		v, ok := o.Get(prop)
		if !ok || v.Str() == value {
			return o
		}
	}
	o, _ := s.b.object(s.typ, 4)
	s.objs[g] = append(list, o)
	return o
}

// setHash sets hashes.<alg> of o.
func setHash(o *observation.Object, alg, value string) {
	h, ok := o.Get("hashes")
	if !ok {
		ho := observation.NewObject(2)
		h = observation.ObjectValue(ho)
		o.Set("hashes", h)
	}
	h.Object().SetString(alg, value)
}

func hashAlg(k observable.Kind) string { return k.HashAlgorithm() }

// files makes file objects (role file), with hashes, name and the
// parent directory.
func (b *obsBuilder) files() {
	s := &slotted{b: b, typ: "file", objs: map[uint8][]*observation.Object{}}
	for i := range b.ev.Observables {
		o := &b.ev.Observables[i]
		if o.Role != observable.RoleFile {
			continue
		}
		b.fileProp(s, o)
	}
}

// fileProp sets the property o gives to a file object of its group.
func (b *obsBuilder) fileProp(s *slotted, o *Observable) *observation.Object {
	text := string(o.Text)
	switch {
	case hashAlg(o.Kind) != "":
		alg := hashAlg(o.Kind)
		f := s.get(o.group, "hashes."+alg, text)
		if h, ok := f.Get("hashes"); ok {
			if v, ok := h.Object().Get(alg); ok && v.Str() != text {
				f, _ = b.object("file", 4)
				s.objs[o.group] = append(s.objs[o.group], f)
			}
		}
		setHash(f, alg, text)
		return f
	case o.Kind == observable.FileName:
		f := s.get(o.group, "name", text)
		f.SetString("name", text)
		return f
	case o.Kind == observable.FilePath:
		dir, name := splitPath(text)
		f := s.get(o.group, "name", name)
		f.SetString("name", name)
		if dir != "" {
			f.SetString("parent_directory_ref", b.directory(dir))
		}
		return f
	case o.Kind == observable.Directory:
		dir := b.directory(text)
		f := s.get(o.group, "parent_directory_ref", dir)
		f.SetString("parent_directory_ref", dir)
		return f
	}
	return nil
}

func (b *obsBuilder) directory(path string) string {
	return b.unique("directory "+path, func() string {
		obj, id := b.object("directory", 1)
		obj.SetString("path", path)
		return id
	})
}

// certificates makes x509-certificate objects from certificate hashes,
// serial numbers, subjects and issuers.
func (b *obsBuilder) certificates() {
	s := &slotted{b: b, typ: "x509-certificate", objs: map[uint8][]*observation.Object{}}
	for i := range b.ev.Observables {
		o := &b.ev.Observables[i]
		text := string(o.Text)
		switch {
		case o.Role == observable.RoleCertificate && hashAlg(o.Kind) != "":
			alg := hashAlg(o.Kind)
			var c *observation.Object
			for _, cand := range s.objs[o.group] {
				h, ok := cand.Get("hashes")
				if !ok {
					c = cand
					break
				}
				if v, ok := h.Object().Get(alg); !ok || v.Str() == text {
					c = cand
					break
				}
			}
			if c == nil {
				c, _ = b.object("x509-certificate", 4)
				s.objs[o.group] = append(s.objs[o.group], c)
			}
			setHash(c, alg, text)
		case o.Kind == observable.X509Serial:
			s.get(o.group, "serial_number", text).SetString("serial_number", text)
		case o.Kind == observable.X509Subject && o.Role == observable.RoleCertIssuer:
			s.get(o.group, "issuer", text).SetString("issuer", text)
		case o.Kind == observable.X509Subject:
			s.get(o.group, "subject", text).SetString("subject", text)
		}
	}
}

// email makes email-addr objects and, when the event names senders,
// recipients or a subject, one email-message.
func (b *obsBuilder) email() {
	var msg *observation.Object
	var to, cc []observation.Value
	message := func() *observation.Object {
		if msg == nil {
			msg, _ = b.object("email-message", 5)
			msg.Set("is_multipart", observation.BoolValue(false))
		}
		return msg
	}
	for i := range b.ev.Observables {
		o := &b.ev.Observables[i]
		switch o.Kind {
		case observable.Email:
			id := b.unique("email "+string(o.Text), func() string {
				obj, id := b.object("email-addr", 1)
				obj.SetString("value", string(o.Text))
				return id
			})
			switch o.Role {
			case observable.RoleEmailFrom:
				if _, ok := message().Get("from_ref"); !ok {
					message().SetString("from_ref", id)
				}
			case observable.RoleEmailTo:
				message()
				to = append(to, observation.StringValue(id))
			case observable.RoleEmailCc:
				message()
				cc = append(cc, observation.StringValue(id))
			}
		case observable.EmailSubject:
			message().SetString("subject", string(o.Text))
		}
	}
	if len(to) > 0 {
		msg.Set("to_refs", observation.ListValue(to))
	}
	if len(cc) > 0 {
		msg.Set("cc_refs", observation.ListValue(cc))
	}
}

// users makes user-account objects; a user id (SID) is paired with the
// account of the most similar field: "TargetUserSid" with
// "TargetUserName", "user.id" with "user.name".
func (b *obsBuilder) users() {
	var ids []attr
	for _, a := range b.ev.attrs {
		if a.op == opUserID {
			ids = append(ids, a)
		}
	}
	paired := make([]bool, len(ids))
	isID := func(o *Observable) bool {
		for _, a := range ids {
			if a.field == o.Field {
				return true
			}
		}
		return false
	}
	for i := range b.ev.Observables {
		o := &b.ev.Observables[i]
		if o.Kind != observable.UserAccount || isID(o) {
			continue
		}
		b.unique("user "+string(o.Text), func() string {
			obj, id := b.object("user-account", 2)
			obj.SetString("account_login", string(o.Text))
			uid, best := string(o.Text), 0
			for j, a := range ids {
				if n := pairScore(a.field, o.Field); n > best {
					uid, best = strings.TrimSpace(string(a.value)), n
					paired[j] = true
				}
			}
			obj.SetString("user_id", uid)
			return id
		})
	}
	for j, a := range ids {
		if !paired[j] {
			v := strings.TrimSpace(string(a.value))
			b.unique("userid "+v, func() string {
				obj, id := b.object("user-account", 1)
				obj.SetString("user_id", v)
				return id
			})
		}
	}
}

// pairScore rates how likely the user id in field idField belongs to the
// account in field nameField: the common prefix of their last components,
// or 1 for generic names ("id", "name") under the same parent object.
func pairScore(idField, nameField string) int {
	n := commonPrefix(baseName(idField), baseName(nameField))
	if n == 0 && parentPath(idField) == parentPath(nameField) && parentPath(idField) != "" &&
		genericUserField(baseName(idField)) && genericUserField(baseName(nameField)) {
		n = 1
	}
	return n
}

func genericUserField(s string) bool {
	switch s {
	case "id", "uid", "user_id", "sid", "name", "login", "account_login", "account":
		return true
	}
	return false
}

func parentPath(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// baseName returns the last component of a key path.
func baseName(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// processes makes the acting process and its parent.
func (b *obsBuilder) processes() {
	var child, parent *observation.Object
	for _, role := range []observable.Role{observable.RoleParentProcess, observable.RoleProcess} {
		var p *observation.Object
		proc := func() *observation.Object {
			if p == nil {
				p, _ = b.object("process", 5)
			}
			return p
		}
		var image *observation.Object
		for i := range b.ev.Observables {
			o := &b.ev.Observables[i]
			if o.Role != role {
				continue
			}
			text := string(o.Text)
			switch {
			case o.Kind == observable.CommandLine:
				if _, ok := proc().Get("command_line"); !ok {
					proc().SetString("command_line", text)
				}
			case o.Kind == observable.ProcessName:
				proc().SetString("name", text)
			case o.Kind == observable.FilePath || o.Kind == observable.FileName || hashAlg(o.Kind) != "":
				if image == nil {
					image, _ = b.object("file", 3)
					proc().SetString("image_ref", image.ID())
				}
				s := &slotted{b: b, typ: "file", objs: map[uint8][]*observation.Object{o.group: {image}}}
				b.fileProp(s, o)
				if _, ok := proc().Get("name"); !ok && o.Kind == observable.FilePath {
					_, name := splitPath(text)
					proc().SetString("name", name)
				}
			}
		}
		for _, a := range b.ev.attrs {
			if a.op == opPID && a.role == role {
				if pid, ok := parsePID(string(a.value)); ok {
					proc().Set("pid", observation.IntValue(pid))
				}
				break
			}
		}
		if role == observable.RoleParentProcess {
			parent = p
		} else {
			child = p
		}
	}
	if child != nil && parent != nil {
		child.SetString("parent_ref", parent.ID())
	}
}

// parsePID reads a decimal or 0x-prefixed hexadecimal process id.
func parsePID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	base := 10
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		s, base = s[2:], 16
	}
	n, err := strconv.ParseInt(s, base, 64)
	return n, err == nil && n >= 0
}
