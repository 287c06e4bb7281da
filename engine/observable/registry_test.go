package observable

import (
	"errors"
	"testing"
)

func TestAppendRegistryKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\evil`, `hkey_local_machine\software\microsoft\windows\currentversion\run\evil`},
		{`HKLM\Software\Microsoft\Windows\CurrentVersion\Run\Evil`, `hkey_local_machine\software\microsoft\windows\currentversion\run\evil`},
		{`\REGISTRY\MACHINE\SYSTEM\CurrentControlSet\Services\x`, `hkey_local_machine\system\currentcontrolset\services\x`},
		{`hklm\system`, `hkey_local_machine\system`},
		{`HKCU\Software\Classes\ms-settings\Shell\Open\command`, `hkey_current_user\software\classes\ms-settings\shell\open\command`},
		{`HKEY_CURRENT_USER\Environment\UserInitMprLogonScript`, `hkey_current_user\environment\userinitmprlogonscript`},
		{`HKU\S-1-5-21-1-2-3-1001\Software\x`, `hkey_users\s-1-5-21-1-2-3-1001\software\x`},
		{`\REGISTRY\USER\S-1-5-18\x`, `hkey_users\s-1-5-18\x`},
		{`HKCR\CLSID\{ABC}`, `hkey_classes_root\clsid\{abc}`},
		{`HKCC\System`, `hkey_current_config\system`},
		{`HKCU\\Environment\\\\UserInitMprLogonScript\`, `hkey_current_user\environment\userinitmprlogonscript`}, // doubled and trailing separators
		{`HKLM`, `hkey_local_machine`},
		{`HKLMX\Software`, `hklmx\software`}, // not a hive
		{`Software\Microsoft`, `software\microsoft`},
		{`\Software`, `\software`},
		{`HKLM\Software\Ünïcode`, `hkey_local_machine\software\Ünïcode`}, // only ASCII is folded
	} {
		got, err := AppendRegistryKey(nil, []byte(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("AppendRegistryKey(%q) = %q, %v; want %q", c.in, got, err, c.want)
			continue
		}
		again, err := AppendCanonical(nil, RegistryKey, got)
		if err != nil || string(again) != c.want {
			t.Errorf("not idempotent: %q → %q, %v", got, again, err)
		}
	}
	for _, bad := range []string{"", `\`, `\\\`} {
		if out, err := AppendRegistryKey([]byte("x"), []byte(bad)); !errors.Is(err, ErrEmpty) || string(out) != "x" {
			t.Errorf("AppendRegistryKey(%q) = %q, %v; want ErrEmpty and dst unchanged", bad, out, err)
		}
	}
}

func TestAppendRegistryKeyNoAllocs(t *testing.T) {
	dst := make([]byte, 0, 256)
	v := []byte(`HKLM\Software\Microsoft\Windows\CurrentVersion\Run\Evil`)
	if n := testing.AllocsPerRun(100, func() { _, _ = AppendRegistryKey(dst[:0], v) }); n != 0 {
		t.Fatalf("%.1f allocations per key", n)
	}
}

func TestAppendCurrentUserKey(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{`hkey_users\s-1-5-21-1004336348-1177238915-682003330-1001\software\microsoft\windows\currentversion\run\x`, `hkey_current_user\software\microsoft\windows\currentversion\run\x`, true},
		{`hkey_users\s-1-5-21-1-2-3-1001_classes\ms-settings\shell\open\command`, `hkey_current_user\software\classes\ms-settings\shell\open\command`, true},
		{`hkey_users\s-1-5-18\software\x`, `hkey_current_user\software\x`, true},
		{`hkey_users\.default\environment`, `hkey_current_user\environment`, true},
		{`hkey_users\s-1-12-1-1-2-3-4`, `hkey_current_user`, true},
		{`hkey_users\software\x`, ``, false}, // not a SID
		{`hkey_users\s-1-`, ``, false},
		{`hkey_users`, ``, false},
		{`hkey_local_machine\software\x`, ``, false},
		{`hkey_current_user\software\x`, ``, false},
	} {
		got, ok := AppendCurrentUserKey(nil, []byte(c.in))
		if ok != c.ok || string(got) != c.want {
			t.Errorf("AppendCurrentUserKey(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
		if ok {
			if again, err := AppendRegistryKey(nil, got); err != nil || string(again) != string(got) {
				t.Errorf("%q is not canonical: %q, %v", got, again, err)
			}
		}
	}
}

func TestRegistryRegexp(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`^HKLM\\Software\\Run\\[a-z]+$`, `(?i)^hkey_local_machine\\Software\\Run\\[a-z]+$`},
		{`^hkey_current_user\\Environment`, `(?i)^hkey_current_user\\Environment`},
		{`^\\REGISTRY\\MACHINE\\SYSTEM`, `(?i)^hkey_local_machine\\SYSTEM`},
		{`(?i)^HKCU\\x`, `(?i)^hkey_current_user\\x`},
		{`^HKLM$`, `(?i)^hkey_local_machine$`},
		{`^HKLMX\\x`, `(?i)^HKLMX\\x`},         // not a hive
		{`Run\\Updater$`, `(?i)Run\\Updater$`}, // not anchored
		{`HKLM\\Software`, `(?i)HKLM\\Software`},
	} {
		if got := RegistryRegexp(c.in); got != c.want {
			t.Errorf("RegistryRegexp(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
