package bench_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// BenchmarkGin measures the Gin rows that need no Redis.
func BenchmarkGin(b *testing.B) {
	rows := []row{
		{name: "bare", h: ginEngine(), bare: true},
		{name: "withcontext", h: ginEngine(func(c *gin.Context) {
			c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), ctxKey{}, c))
			c.Next()
		}), bare: true},
	}
	for _, st := range ourStores(b) {
		rows = append(rows, row{name: st.name, h: ourGin(newManager(b, st.store))})
	}
	rows = append(rows, row{name: "gin-contrib-cookie", h: ginContrib(cookie.NewStore([]byte(secret)))})
	run(b, rows)
}

// BenchmarkGinRedis measures our Gin row with sessions in Redis.
func BenchmarkGinRedis(b *testing.B) {
	store, rt := ourRedis(b, redistest.StartLocal(b))
	run(b, []row{{name: "transient-redis", h: ourGin(newManager(b, store)), rt: rt}})
}

// ginEngine returns an engine with the middleware and the untouched route.
func ginEngine(middleware ...gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.Use(middleware...)
	r.GET("/untouched", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	return r
}

// ourGin is a transient row on Gin.
func ourGin(m *core.Manager) http.Handler {
	r := ginEngine(sessiongin.Middleware(m, nil))
	answer := func(c *gin.Context, msg string) {
		if msg != "" {
			c.String(http.StatusInternalServerError, msg)
			return
		}
		c.String(http.StatusOK, "ok")
	}
	r.POST("/login", func(c *gin.Context) {
		if s, err := sessiongin.Session(c); err == nil {
			ourLogin(s)
			answer(c, "")
		}
	})
	r.GET("/read", func(c *gin.Context) {
		if s, err := sessiongin.Session(c); err == nil {
			answer(c, ourCheck(s))
		}
	})
	r.POST("/write", func(c *gin.Context) {
		if s, err := sessiongin.Session(c); err == nil {
			answer(c, ourCheck(s)+ourWrite(s))
		}
	})
	return r
}

// ginContrib is a gin-contrib/sessions row, used as its README shows: the
// Sessions middleware, sessions.Default in handlers, Save after a change.
func ginContrib(store sessions.Store) http.Handler {
	r := ginEngine(sessions.Sessions("session", store))
	read := func(c *gin.Context) (sessions.Session, bool) {
		s := sessions.Default(c)
		id, _ := s.Get("user_id").(int)
		name, _ := s.Get("username").(string)
		if msg := checkSession(id, name); msg != "" {
			c.String(http.StatusInternalServerError, msg)
			return nil, false
		}
		return s, true
	}
	save := func(c *gin.Context, s sessions.Session) {
		if err := s.Save(); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	}
	r.POST("/login", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("user_id", userID)
		s.Set("username", userName)
		save(c, s)
	})
	r.GET("/read", func(c *gin.Context) {
		if _, ok := read(c); ok {
			c.String(http.StatusOK, "ok")
		}
	})
	r.POST("/write", func(c *gin.Context) {
		s, ok := read(c)
		if !ok {
			return
		}
		if msg := checkFlashes(len(s.Flashes())); msg != "" {
			c.String(http.StatusInternalServerError, msg)
			return
		}
		s.AddFlash(flashMsg)
		save(c, s)
	})
	return r
}
