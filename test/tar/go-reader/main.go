// Command go-tar-reader is the reference the conformance suite (test/tar/conformance*.test.ts) holds
// layer-audit to: Go's archive/tar, which containerd and Docker apply layers with.
//
//	go-tar-reader LAYER...            read layer blobs (plain or gzip tar, bottom first) and print the
//	                                  merged tree as JSON
//	go-tar-reader -write FORMAT [-close close|flush|none] < spec.json > layer.tar
//	                                  write a tar with archive/tar's Writer (FORMAT: pax, gnu, ustar)
//
// Reading follows containerd's applier: Next() until io.EOF, every member's data read to its end (a
// short member errors as it would when containerd writes it), global PAX headers skipped, any typeflag
// but 0-6 refused ("unhandled tar header type"). The layering rules are layer-audit's
// (src/fs/flatten.ts, src/fs/whiteout.ts), so the only thing compared is how the tar is read.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

func main() {
	write := flag.String("write", "", "write a tar in this format (pax, gnu, ustar) from a JSON spec on stdin")
	closeMode := flag.String("close", "close", "how a written tar ends: close (end blocks), flush (padding only), none")
	flag.Parse()
	if *write != "" {
		if err := writeTar(*write, *closeMode, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "go-tar-reader -write:", err)
			os.Exit(1)
		}
		return
	}
	out := json.NewEncoder(os.Stdout)
	entries, err := readLayers(flag.Args())
	if err != nil {
		var usage usageError
		if errors.As(err, &usage) {
			fmt.Fprintln(os.Stderr, "go-tar-reader:", err)
			os.Exit(2)
		}
		_ = out.Encode(map[string]interface{}{"ok": false, "error": err.Error()})
		return
	}
	_ = out.Encode(map[string]interface{}{"ok": true, "entries": entries})
}

// usageError is a problem with the command line or the files (exit 2), not with a layer's tar.
type usageError struct{ error }

// ---------------------------------------------------------------------------------------------------
// Reading

type node struct {
	path       string
	typ        string
	mode       int64
	uid, gid   int
	size       int64
	mtime      int64
	linkTarget *string
	xattrs     map[string]string
	layer      int
}

type entryJSON struct {
	Path       string            `json:"path_b64"`
	Type       string            `json:"type"`
	Mode       int64             `json:"mode"`
	UID        int               `json:"uid"`
	GID        int               `json:"gid"`
	Size       int64             `json:"size"`
	Mtime      int64             `json:"mtime"`
	LinkTarget *string           `json:"linkTarget_b64,omitempty"`
	Xattrs     map[string]string `json:"xattrs,omitempty"`
	Layer      int               `json:"layer"`
}

type whiteout struct {
	opaque bool
	path   string
}

type layerContents struct {
	entries   []*node
	whiteouts []whiteout
}

var types = map[byte]string{
	tar.TypeReg:     "file", // TypeRegA ('\x00') is turned into TypeReg (or TypeDir) by Next()
	tar.TypeLink:    "hardlink",
	tar.TypeSymlink: "symlink",
	tar.TypeChar:    "char",
	tar.TypeBlock:   "block",
	tar.TypeDir:     "directory",
	tar.TypeFifo:    "fifo",
}

func readLayers(paths []string) ([]entryJSON, error) {
	t := newTree()
	for i, p := range paths {
		contents, err := readLayer(p)
		if err != nil {
			var usage usageError
			if errors.As(err, &usage) {
				return nil, err
			}
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		t.apply(contents, i)
	}
	return t.json(), nil
}

func readLayer(file string) (*layerContents, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, usageError{err}
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		r = gz
	}
	tr := tar.NewReader(r)
	contents := &layerContents{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return contents, nil
		}
		if err != nil {
			return nil, fmt.Errorf("tar: %w", err)
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return nil, fmt.Errorf("tar data of %q: %w", hdr.Name, err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue // containerd: "PAX Global Extended Headers found and ignored"
		}
		p := path.Clean("/" + hdr.Name)
		if p == "/" {
			continue
		}
		// Whiteout markers (layer-audit's src/fs/whiteout.ts, which follows containerd).
		dir, base := path.Dir(p), path.Base(p)
		if strings.HasPrefix(base, ".wh.") {
			if base == ".wh..wh..opq" {
				contents.whiteouts = append(contents.whiteouts, whiteout{opaque: true, path: dir})
				continue
			}
			if strings.HasPrefix(base, ".wh..wh.") {
				continue // AUFS bookkeeping
			}
			target := base[len(".wh."):]
			if target == "" || target == "." || target == ".." {
				return nil, fmt.Errorf("whiteout %q names no file", p)
			}
			contents.whiteouts = append(contents.whiteouts, whiteout{path: path.Join(dir, target)})
			continue
		}
		typ, ok := types[hdr.Typeflag]
		if !ok {
			return nil, fmt.Errorf("unhandled tar header type %d (%q) at %q", hdr.Typeflag, hdr.Typeflag, p)
		}
		n := &node{path: p, typ: typ, mode: hdr.Mode & 0o7777, uid: hdr.Uid, gid: hdr.Gid, mtime: hdr.ModTime.Unix()}
		if typ == "file" {
			n.size = hdr.Size
		}
		switch typ {
		case "symlink":
			target := hdr.Linkname
			n.linkTarget = &target
		case "hardlink":
			target := path.Clean("/" + hdr.Linkname)
			if target == "/" {
				return nil, fmt.Errorf("hardlink %q has no target", p)
			}
			n.linkTarget = &target
		}
		for k, v := range hdr.PAXRecords {
			if strings.HasPrefix(k, "SCHILY.xattr.") {
				if n.xattrs == nil {
					n.xattrs = map[string]string{}
				}
				n.xattrs[k[len("SCHILY.xattr."):]] = base64.StdEncoding.EncodeToString([]byte(v))
			}
		}
		contents.entries = append(contents.entries, n)
	}
}

// tree is the merged filesystem: layer-audit's FileTree and flatten, with a flat map.
type tree struct{ nodes map[string]*node }

func newTree() *tree { return &tree{nodes: map[string]*node{}} }

func (t *tree) removeBelow(p string) {
	prefix := p + "/"
	if p == "/" {
		prefix = "/"
	}
	for k := range t.nodes {
		if strings.HasPrefix(k, prefix) {
			delete(t.nodes, k)
		}
	}
}

func (t *tree) set(n *node) {
	if n.typ != "directory" {
		t.removeBelow(n.path)
	}
	t.nodes[n.path] = n
}

func (t *tree) apply(c *layerContents, layer int) {
	// 1. Whiteouts first, against lower layers only.
	for _, w := range c.whiteouts {
		if !w.opaque {
			t.removeBelow(w.path)
			delete(t.nodes, w.path)
		} else if w.path == "/" || (t.nodes[w.path] != nil && t.nodes[w.path].typ == "directory") {
			t.removeBelow(w.path)
		}
	}
	for _, w := range c.whiteouts {
		if w.opaque {
			t.ensureDirectories(w.path, layer)
		} else {
			t.ensureDirectories(path.Dir(w.path), layer)
		}
	}
	// 2. Entries in tar order; the last one wins, a directory over a directory keeps its children.
	for _, e := range c.entries {
		t.ensureDirectories(path.Dir(e.path), layer)
		n := *e
		n.layer = layer
		if n.typ == "hardlink" {
			n.size = t.sharedSize(*n.linkTarget)
		}
		t.set(&n)
	}
}

func (t *tree) ensureDirectories(dir string, layer int) {
	if dir == "/" {
		return
	}
	var chain []string
	for p := dir; p != "/"; p = path.Dir(p) {
		chain = append(chain, p)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		p := chain[i]
		if n := t.nodes[p]; n != nil && n.typ == "directory" {
			continue
		}
		t.set(&node{path: p, typ: "directory", mode: 0o755, layer: layer})
	}
}

func (t *tree) sharedSize(target string) int64 {
	n := t.nodes[target]
	if n == nil {
		return 0
	}
	if n.typ == "file" || n.typ == "hardlink" {
		return n.size
	}
	return 0
}

func (t *tree) json() []entryJSON {
	paths := make([]string, 0, len(t.nodes))
	for p := range t.nodes {
		paths = append(paths, p)
	}
	sort.Strings(paths) // Go strings compare bytewise
	out := make([]entryJSON, 0, len(paths))
	for _, p := range paths {
		n := t.nodes[p]
		e := entryJSON{Path: b64(p), Type: n.typ, Mode: n.mode, UID: n.uid, GID: n.gid, Size: n.size, Mtime: n.mtime, Layer: n.layer}
		if n.linkTarget != nil {
			s := b64(*n.linkTarget)
			e.LinkTarget = &s
		}
		if len(n.xattrs) > 0 {
			e.Xattrs = n.xattrs
		}
		out = append(out, e)
	}
	return out
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// ---------------------------------------------------------------------------------------------------
// Writing (the matrix's Go writer)

type specEntry struct {
	Name     string            `json:"name"` // base64 bytes
	Type     string            `json:"type"`
	Mode     int64             `json:"mode"`
	UID      int               `json:"uid"`
	GID      int               `json:"gid"`
	Mtime    float64           `json:"mtime"`
	Content  string            `json:"content"` // base64 bytes (files)
	Link     string            `json:"link"`    // base64 bytes
	Devmajor int64             `json:"devmajor"`
	Devminor int64             `json:"devminor"`
	Pax      map[string]string `json:"pax"` // key → base64 value
}

type spec struct {
	Global  map[string]string `json:"global"` // a 'g' header first (key → base64 value)
	Entries []specEntry       `json:"entries"`
}

var writeTypes = map[string]byte{
	"file": tar.TypeReg, "directory": tar.TypeDir, "symlink": tar.TypeSymlink, "hardlink": tar.TypeLink,
	"char": tar.TypeChar, "block": tar.TypeBlock, "fifo": tar.TypeFifo,
}

func unb64(s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func unb64Map(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = unb64(v)
	}
	return out
}

func writeTar(format, closeMode string, in io.Reader, out io.Writer) error {
	var s spec
	if err := json.NewDecoder(in).Decode(&s); err != nil {
		return err
	}
	formats := map[string]tar.Format{"pax": tar.FormatPAX, "gnu": tar.FormatGNU, "ustar": tar.FormatUSTAR}
	f, ok := formats[format]
	if !ok {
		return fmt.Errorf("unknown format %q", format)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if s.Global != nil {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Format: tar.FormatPAX, PAXRecords: unb64Map(s.Global)}); err != nil {
			return err
		}
	}
	for _, e := range s.Entries {
		typ, ok := writeTypes[e.Type]
		if !ok {
			return fmt.Errorf("unknown type %q", e.Type)
		}
		content := unb64(e.Content)
		sec, frac := math.Modf(e.Mtime)
		if frac < 0 {
			sec, frac = sec-1, frac+1
		}
		hdr := &tar.Header{
			Typeflag: typ, Name: unb64(e.Name), Linkname: unb64(e.Link), Mode: e.Mode, Uid: e.UID, Gid: e.GID,
			ModTime: time.Unix(int64(sec), int64(math.Round(frac*1e9))), Devmajor: e.Devmajor, Devminor: e.Devminor,
			PAXRecords: unb64Map(e.Pax), Format: f,
		}
		if typ == tar.TypeReg {
			hdr.Size = int64(len(content))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%q: %w", hdr.Name, err)
		}
		if _, err := io.WriteString(tw, content); err != nil {
			return err
		}
	}
	var err error
	switch closeMode {
	case "close":
		err = tw.Close()
	case "flush":
		err = tw.Flush()
	case "none":
	default:
		err = fmt.Errorf("unknown -close %q", closeMode)
	}
	if err != nil {
		return err
	}
	_, err = out.Write(buf.Bytes())
	return err
}
